import { z } from "zod";

/**
 * The validated model of one stack's configuration. Every key lives in the `saleor` namespace of
 * `Pulumi.<stack>.yaml`; defaults per environment come from `defaults.ts`, so stack files hold only
 * what differs.
 */

export const environments = ["dev", "staging", "production"] as const;
export type Environment = (typeof environments)[number];

/** AWS regions this program knows how to deploy into (the seeds use eu-central-1 and eu-west-1). */
export const awsRegions = [
    "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "eu-south-1", "eu-central-2",
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1",
    "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "ap-south-1", "sa-east-1",
] as const;

const dnsName = z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, {
    message: "must be a lower-case DNS host name such as api.example.com",
});
const cpuQuantity = z.string().regex(/^([0-9]+m|[0-9]+(\.[0-9]+)?)$/, { message: "must be a Kubernetes CPU quantity such as 250m or 1" });
const memoryQuantity = z.string().regex(/^[0-9]+(Ki|Mi|Gi|Ti)$/, { message: "must be a Kubernetes memory quantity such as 512Mi or 2Gi" });
const storageQuantity = memoryQuantity;
const cidr = z.string().regex(/^([0-9]{1,3}\.){3}[0-9]{1,3}\/([0-9]|[12][0-9]|3[0-2])$/, { message: "must be an IPv4 CIDR such as 10.10.0.0/16" });
/** An image tag we are willing to deploy: a version or a git SHA, never `latest`. */
const imageTag = z.string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, { message: "must be an image tag (a version such as 3.23.5 or a git SHA)" })
    .refine((t) => t !== "latest", { message: "must not be `latest`: pin a version or a git SHA so a rollout is repeatable" });
export const semver = /^([0-9]+)\.([0-9]+)\.([0-9]+)$/;

const resources = z.strictObject({
    requests: z.strictObject({ cpu: cpuQuantity, memory: memoryQuantity }),
    limits: z.strictObject({ cpu: cpuQuantity, memory: memoryQuantity }),
});
export type Resources = z.infer<typeof resources>;

const autoscaling = z.strictObject({
    maxReplicas: z.number().int().min(1).max(100),
    targetCpuUtilization: z.number().int().min(10).max(95),
});

const workload = z.strictObject({
    replicas: z.number().int().min(0).max(100),
    resources,
    /** Horizontal autoscaling; only used where replicas > 1. */
    autoscaling: autoscaling.optional(),
});

const region = z.strictObject({
    /** `local` (or any label) for an existing cluster; an AWS region name for the aws flavour. */
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}$/, { message: "must be lower-case letters, digits and dashes" }),
    role: z.enum(["primary", "secondary"]),
    /** Public host names served in this region. */
    hosts: z.strictObject({
        api: dnsName,
        dashboard: dnsName,
        /** Storefront host per market code (de, nl, be, ...). */
        storefronts: z.record(z.string().regex(/^[a-z]{2}$/, { message: "market codes are two lower-case letters" }), dnsName),
    }),
    /** VPC address range (aws flavour); must not overlap another region's. */
    vpcCidr: cidr.optional(),
});
export type RegionConfig = z.infer<typeof region>;

const imageSource = z.discriminatedUnion("source", [
    /** Pull a published image: `repository:tag`. */
    z.strictObject({ source: z.literal("upstream"), repository: z.string().min(1) }),
    /** Build from a Docker context and push to the stack's registry (ECR on AWS; local daemon in dev). */
    z.strictObject({
        source: z.literal("build"),
        context: z.string().min(1),
        dockerfile: z.string().optional(),
        repositoryName: z.string().regex(/^[a-z0-9][a-z0-9._\/-]*$/),
    }),
]);

const storefrontSource = z.discriminatedUnion("source", [
    z.strictObject({ source: z.literal("image"), repository: z.string().min(1), tag: imageTag }),
    z.strictObject({
        source: z.literal("build"),
        context: z.string().min(1),
        repositoryName: z.string().regex(/^[a-z0-9][a-z0-9._\/-]*$/),
        tag: imageTag,
        /** Channel slug the storefront shows by default (NEXT_PUBLIC_DEFAULT_CHANNEL). */
        defaultChannel: z.string().default("default-channel"),
    }),
]);

const nodeGroup = z.strictObject({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/),
    instanceTypes: z.array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/)).min(1),
    minSize: z.number().int().min(0),
    desiredSize: z.number().int().min(0),
    maxSize: z.number().int().min(1),
    diskSizeGiB: z.number().int().min(20).max(1000),
});

const cluster = z.strictObject({
    flavour: z.enum(["existing", "aws"]),
    /** Namespace for every Saleor workload. */
    namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/),
    /** IngressClass that serves the public hosts. */
    ingressClassName: z.string().min(1),
    existing: z.strictObject({
        /** Path to a kubeconfig file; the default loading rules ($KUBECONFIG, ~/.kube/config) when unset. */
        kubeconfig: z.string().optional(),
        /** kubeconfig context; the current context when unset. */
        context: z.string().optional(),
        /** Namespace of the ingress controller, the only source of public traffic NetworkPolicies admit. */
        ingressControllerNamespace: z.string().default("ingress-nginx"),
    }).optional(),
    aws: z.strictObject({
        kubernetesVersion: z.string().regex(/^1\.[0-9]{2}$/),
        /** CIDRs allowed to reach the public EKS endpoint; empty means private endpoint only. */
        endpointPublicAccessCidrs: z.array(cidr),
        natGateways: z.enum(["single", "perAz"]),
        nodeGroups: z.array(nodeGroup).min(1),
        /** IAM role ARNs granted cluster-admin through EKS access entries (CI deploy role, operators). */
        adminRoleArns: z.array(z.string().regex(/^arn:aws:iam::[0-9]{12}:role\/.+$/, { message: "must be an IAM role ARN" })).default([]),
    }).optional(),
});

const data = z.strictObject({
    flavour: z.enum(["in-cluster", "aws"]),
    inCluster: z.strictObject({
        postgresImage: z.string(),
        valkeyImage: z.string(),
        mailpitImage: z.string(),
        databaseStorage: storageQuantity,
        mediaStorage: storageQuantity,
        /** StorageClass for the volumes; the cluster default when unset. */
        storageClassName: z.string().optional(),
    }).optional(),
    aws: z.strictObject({
        postgres: z.strictObject({
            engineVersion: z.string().regex(/^1[5-9](\.[0-9]+)?$/, { message: "must be PostgreSQL 15 or newer (Django 5.2 needs >= 14; Saleor tests on 15)" }),
            instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/),
            allocatedStorageGiB: z.number().int().min(20),
            maxAllocatedStorageGiB: z.number().int().min(20),
            multiAz: z.boolean(),
            backupRetentionDays: z.number().int().min(1).max(35),
            deletionProtection: z.boolean(),
            /** Add a read replica in the primary region (a secondary always has its standby, a cross-region one). */
            inRegionReplica: z.boolean(),
        }),
        cache: z.strictObject({
            engineVersion: z.string(),
            nodeType: z.string().regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/),
            /** Cache nodes per region (primary + replicas). */
            nodes: z.number().int().min(1).max(6),
            multiAz: z.boolean(),
        }),
        media: z.strictObject({
            /** Days to keep non-current object versions. */
            noncurrentVersionDays: z.number().int().min(1),
            /** Replicate the primary region's bucket to the secondary. */
            replicate: z.boolean(),
        }),
    }).optional(),
});

const app = z.strictObject({
    /** Django DEBUG; only ever true in dev. */
    debug: z.boolean(),
    /** Scheme of the public URLs (PUBLIC_URL turns SSL handling on when https). */
    scheme: z.enum(["http", "https"]),
    defaultFromEmail: z.string().email(),
    /** GraphQL playground (PLAYGROUND_ENABLED). */
    playground: z.boolean(),
    /** SEND_USAGE_TELEMETRY (calls home at start). */
    telemetry: z.boolean(),
    /** uvicorn --workers per API pod. */
    apiWorkers: z.number().int().min(1).max(16),
    /** celery --concurrency per worker pod. */
    workerConcurrency: z.number().int().min(1).max(64),
});

const operations = z.strictObject({
    /** Public Route 53 hosted zone that holds every host (certificates are validated in it). */
    dnsZone: dnsName.optional(),
    /** Per region: ACM certificate, WAF on the ALB, Route 53 records and an /health/ check. */
    edge: z.boolean(),
    /** CloudFront (with its own WAF) in front of the media bucket, as AWS_MEDIA_CUSTOM_DOMAIN. */
    mediaCdn: z.boolean(),
    /** CloudWatch alarms at the production guide's thresholds, a dashboard and an SNS topic per region. */
    alarms: z.boolean(),
    /** Addresses subscribed to every region's alert topic. */
    alertEmails: z.array(z.string().email()),
    /** Container Insights (node CPU alarm) through the CloudWatch observability add-on. */
    containerInsights: z.boolean(),
    /** Copy every backup to a vault in the secondary region. */
    drBackupCopy: z.boolean(),
    /** OTLP endpoint for Saleor's traces (OTEL_EXPORTER_OTLP_ENDPOINT); no tracing when unset. */
    otlpEndpoint: z.string().url().optional(),
});

export const stackConfigSchema = z.strictObject({
    environment: z.enum(environments),
    /** Saleor version (X.Y.Z) the stack runs; also the base of a built Core image. */
    saleorVersion: z.string().regex(semver, { message: "must be a Saleor version X.Y.Z such as 3.23.5" }),
    /** Core image tag deployed in every region; defaults to saleorVersion. */
    release: imageTag.optional(),
    /** Per-region override of `release`, used by the staged rollout to move one region at a time. */
    regionReleases: z.record(z.string(), imageTag).default({}),
    /** Dashboard version; its minor must equal Core's. */
    dashboardVersion: z.string().regex(semver, { message: "must be a Dashboard version X.Y.Z such as 3.23.2" }),
    regions: z.array(region).min(1),
    images: z.strictObject({
        core: imageSource,
        dashboard: z.strictObject({ repository: z.string().min(1) }),
        storefront: storefrontSource,
    }),
    workloads: z.strictObject({
        api: workload,
        worker: workload,
        beat: workload,
        dashboard: workload,
        storefront: workload,
        migration: z.strictObject({
            resources,
            /** Pod retries before the migration Job counts as failed. */
            backoffLimit: z.number().int().min(0).max(6),
            /** Hard deadline for one migration run. */
            activeDeadlineSeconds: z.number().int().min(60),
        }),
    }),
    cluster,
    data,
    features: z.strictObject({
        /** One-off Job that loads Saleor's demo catalogue and a superuser (`populatedb --createsuperuser`). */
        demoData: z.boolean(),
        /** In-cluster Mailpit as the SMTP server. */
        mailCatcher: z.boolean(),
    }),
    app,
    operations,
    /** HTTPS endpoint (pager or chat) subscribed to the alert topics; must be a Pulumi secret (it usually embeds a token). */
    alertWebhookUrl: z.string().url().optional(),
    /** SMTP URL with credentials (EMAIL_URL); must be a Pulumi secret. */
    emailUrl: z.string().optional(),
    /** Sentry DSN (SENTRY_DSN); must be a Pulumi secret. */
    sentryDsn: z.string().optional(),
});

export type StackConfigInput = z.input<typeof stackConfigSchema>;
type Parsed = z.output<typeof stackConfigSchema>;

/** The validated stack model, with secret-bearing values kept as strings that the loader marks secret. */
export interface StackConfig extends Omit<Parsed, "emailUrl" | "sentryDsn" | "alertWebhookUrl"> {
    /** Release per region, resolved from `release`, `regionReleases` and `saleorVersion`. */
    readonly releases: Record<string, string>;
    readonly emailUrl?: SecretValue;
    readonly sentryDsn?: SecretValue;
    readonly alertWebhookUrl?: SecretValue;
}

/** A value that must stay secret: only ever wrapped with pulumi.secret where it is used. */
export interface SecretValue {
    readonly secret: true;
    readonly value: string;
}

/** Top-level keys of the `saleor` namespace, in the order problems are reported. */
export const configKeys = Object.keys(stackConfigSchema.shape) as (keyof StackConfigInput)[];
/** Keys whose value carries credentials and so must be set with `pulumi config set --secret`. */
export const secretKeys = ["emailUrl", "sentryDsn", "alertWebhookUrl"] as const;
