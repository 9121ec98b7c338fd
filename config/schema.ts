import * as v from "valibot";
import { eksAddonNames, eksAddonVersionPattern } from "../catalog/eks-addons";

/**
 * The validated model of one stack's configuration. Every key lives in the `saleor` namespace of
 * `Pulumi.<stack>.yaml`; defaults per environment come from `defaults.ts`, so stack files hold only
 * what differs. Messages here say what is allowed; `load.ts` puts the full key in front of them.
 */

export const environments = ["dev", "staging", "production"] as const;
export type Environment = (typeof environments)[number];

/** AWS regions this program knows how to deploy into (the seeds use eu-central-1 and eu-west-1). */
export const awsRegions = [
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "eu-south-1",
    "eu-central-2",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ap-south-1",
    "sa-east-1",
] as const;

/** A string matching `pattern`, else `message`. */
const matching = (pattern: RegExp, message: string) => v.pipe(v.string(), v.regex(pattern, message));
const nonEmpty = v.pipe(v.string(), v.minLength(1, "must not be empty"));
/** A whole number of at least `min` (and at most `max`, when given). */
const int = (min: number, max?: number) =>
    max === undefined
        ? v.pipe(v.number(), v.integer(), v.minValue(min))
        : v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const email = v.pipe(v.string(), v.email("must be an email address such as shop@example.com"));
const url = v.pipe(v.string(), v.url("must be a URL such as https://collector.example.com:4318"));

const dnsName = matching(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
    "must be a lower-case DNS host name such as api.example.com",
);
const cpuQuantity = matching(/^([0-9]+m|[0-9]+(\.[0-9]+)?)$/, "must be a Kubernetes CPU quantity such as 250m or 1");
const memoryQuantity = matching(/^[0-9]+(Ki|Mi|Gi|Ti)$/, "must be a Kubernetes memory quantity such as 512Mi or 2Gi");
const storageQuantity = memoryQuantity;
const cidr = matching(/^([0-9]{1,3}\.){3}[0-9]{1,3}\/([0-9]|[12][0-9]|3[0-2])$/, "must be an IPv4 CIDR such as 10.10.0.0/16");
/** An image tag we are willing to deploy: a version or a git SHA, never `latest`. */
const imageTag = v.pipe(
    v.string(),
    v.regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be an image tag (a version such as 3.23.5 or a git SHA)"),
    v.check((t) => t !== "latest", "must not be `latest`: pin a version or a git SHA so a rollout is repeatable"),
);
export const semver = /^([0-9]+)\.([0-9]+)\.([0-9]+)$/;

const resources = v.strictObject({
    requests: v.strictObject({ cpu: cpuQuantity, memory: memoryQuantity }),
    limits: v.strictObject({ cpu: cpuQuantity, memory: memoryQuantity }),
});
export type Resources = v.InferOutput<typeof resources>;

const autoscaling = v.strictObject({
    maxReplicas: int(1, 100),
    targetCpuUtilization: int(10, 95),
});

const workload = v.strictObject({
    replicas: int(0, 100),
    resources,
    /** Horizontal autoscaling; only used where replicas > 1. */
    autoscaling: v.optional(autoscaling),
});

const marketCode = matching(/^[a-z]{2}$/, "market codes are two lower-case letters");
/** A Saleor channel slug. */
const channelSlug = matching(/^[a-z0-9][a-z0-9_-]*$/, "must be a channel slug: lower-case letters, digits, - and _");

const region = v.strictObject({
    /** `local` (or any label) for an existing cluster; an AWS region name for the aws flavour. */
    name: matching(/^[a-z0-9][a-z0-9-]{0,30}$/, "must be lower-case letters, digits and dashes"),
    role: v.picklist(["primary", "secondary"]),
    /** Public host names served in this region. */
    hosts: v.strictObject({
        api: dnsName,
        dashboard: dnsName,
        /** Storefront host per market code (de, nl, be, ...). */
        storefronts: v.record(marketCode, dnsName),
    }),
    /**
     * The market whose host the region's storefront is built for (NEXT_PUBLIC_STOREFRONT_URL: canonical
     * URLs, its own redirect allow-list) and whose channel it opens by default. One of
     * `hosts.storefronts`; required when the region has more than one market, since the order of a
     * YAML map does not survive the engine (it hands objects over as JSON with sorted keys).
     */
    primaryMarket: v.optional(marketCode),
    /** VPC address range (aws flavour); must not overlap another region's. */
    vpcCidr: v.optional(cidr),
});
export type RegionConfig = v.InferOutput<typeof region>;

const repositoryName = matching(/^[a-z0-9][a-z0-9._/-]*$/, "must be a repository name: lower-case letters, digits and . _ / -");

const imageSource = v.variant("source", [
    /** Pull a published image: `repository:tag`. */
    v.strictObject({ source: v.literal("upstream"), repository: nonEmpty }),
    /** Build from a Docker context and push to the stack's registry (ECR on AWS; local daemon in dev). */
    v.strictObject({
        source: v.literal("build"),
        context: nonEmpty,
        dockerfile: v.optional(v.string()),
        repositoryName,
    }),
]);

const storefrontSource = v.variant("source", [
    v.strictObject({ source: v.literal("image"), repository: nonEmpty, tag: imageTag }),
    v.strictObject({
        source: v.literal("build"),
        context: nonEmpty,
        repositoryName,
        /**
         * The saleor/storefront commit the image is built from, which the deploy checks out at
         * `context`; the pushed tag is `<tag>-<region>-<digest of the build arguments>`. A local
         * build (dev) may use any label.
         */
        tag: imageTag,
        /** Channel slug the storefront shows by default (NEXT_PUBLIC_DEFAULT_CHANNEL). */
        defaultChannel: v.optional(v.string(), "default-channel"),
        /**
         * The Dockerfile it is built with, relative to the project. Default: images/storefront/Dockerfile,
         * which declares every NEXT_PUBLIC_ switch the stack passes and waits for the API before building.
         */
        dockerfile: v.optional(nonEmpty, "images/storefront/Dockerfile"),
    }),
]);

/** The storefront's behaviour at run time, whatever image it runs. */
const storefront = v.strictObject({
    /**
     * Saleor channel per market code: the channel a market's host opens at `/`, and the channels its
     * region's storefront serves (STOREFRONT_CHANNELS). A market not listed opens
     * images.storefront.defaultChannel (an image's own default when pinned).
     */
    channels: v.optional(v.record(marketCode, channelSlug), () => ({})),
    /**
     * Payment providers the checkout offers (saleor/storefront src/checkout/lib/payment/providers/):
     * `dummy`, Saleor's Dummy Payment app, for test orders; `stripe`, the Saleor Stripe app. Their keys
     * are the apps' configuration in Saleor, not the storefront's. `stripe` is also a build argument
     * (NEXT_PUBLIC_ENABLE_STRIPE_PAYMENTS): a pinned image keeps what it was built with in the browser.
     */
    payments: v.strictObject({ dummy: v.boolean(), stripe: v.boolean() }),
});

const nodeGroup = v.strictObject({
    name: matching(/^[a-z][a-z0-9-]{0,30}$/, "must start with a lower-case letter, then letters, digits and dashes (at most 31)"),
    instanceTypes: v.pipe(
        v.array(matching(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "must be an EC2 instance type such as m6i.large")),
        v.minLength(1, "needs at least one instance type"),
    ),
    minSize: int(0),
    desiredSize: int(0),
    maxSize: int(1),
    diskSizeGiB: int(20, 1000),
});

/** Keys every cluster flavour has. */
const clusterCommon = {
    /** Namespace for every Saleor workload. */
    namespace: matching(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a Kubernetes namespace name: lower-case letters, digits and dashes"),
    /** IngressClass that serves the public hosts. */
    ingressClassName: nonEmpty,
};

const existingCluster = v.strictObject({
    /** Path to a kubeconfig file; the default loading rules ($KUBECONFIG, ~/.kube/config) when unset. */
    kubeconfig: v.optional(v.string()),
    /** kubeconfig context; the current context when unset. */
    context: v.optional(v.string()),
    /** Namespace of the ingress controller, the only source of public traffic NetworkPolicies admit. */
    ingressControllerNamespace: v.optional(v.string(), "ingress-nginx"),
});

const roleArn = matching(
    /^arn:aws:iam::[0-9]{12}:role\/.+$/,
    "must be an IAM role ARN such as arn:aws:iam::123456789012:role/saleor-deploy-staging",
);

/** A customer- or AWS-managed policy (its ARN carries the policy's path). */
const managedPolicyArn = matching(
    /^arn:aws:iam::[0-9]{12}:policy\/.+$/,
    "must be an IAM managed policy ARN such as arn:aws:iam::123456789012:policy/saleor-bootstrap/saleor-production-workload-boundary (the bootstrap's output workloadBoundaries.<environment>)",
);

const awsCluster = v.strictObject({
    kubernetesVersion: matching(/^1\.[0-9]{2}$/, "must be a Kubernetes minor version such as 1.34"),
    /** CIDRs allowed to reach the public EKS endpoint; empty means private endpoint only (an opt-in, see the README). */
    endpointPublicAccessCidrs: v.array(cidr),
    /**
     * The deploy runner's VPC in the home region (the bootstrap's output runnerVpc): peered with
     * every region's VPC, and admitted to each cluster's private API endpoint on 443. The deploy
     * reaches the clusters through it. Default: none.
     */
    deployRunner: v.optional(
        v.strictObject({
            vpcId: matching(/^vpc-[0-9a-f]{8,17}$/, "must be a VPC id such as vpc-0a1b2c3d4e5f67890"),
            vpcCidr: cidr,
            /** The runner subnets' route tables, which get a route to each region's VPC. */
            routeTableIds: v.pipe(
                v.array(matching(/^rtb-[0-9a-f]{8,17}$/, "must be a route table id such as rtb-0a1b2c3d4e5f67890")),
                v.minLength(1, "needs the route table of the runner's subnets"),
            ),
        }),
    ),
    natGateways: v.picklist(["single", "perAz"]),
    nodeGroups: v.pipe(v.array(nodeGroup), v.minLength(1, "needs at least one node group")),
    /**
     * The IAM role that deploys the stack: the bootstrap's deploy role of this environment
     * (bootstrap/). It gets its own cluster-admin access entry.
     */
    deployRoleArn: roleArn,
    /**
     * The permissions boundary of every IAM role and user the stack creates: the bootstrap's
     * workload boundary of this environment (bootstrap/, output workloadBoundaries.<environment>).
     * The deploy role may create a role or user, or change its policies, only with this boundary on it.
     */
    permissionsBoundaryArn: managedPolicyArn,
    /** Further IAM roles granted cluster-admin through EKS access entries (operators); not the deploy role. */
    adminRoleArns: v.optional(v.array(roleArn), () => []),
    /**
     * EKS add-on versions, by add-on; each defaults to the pin for kubernetesVersion in
     * catalog/eks-addons.ts. Set one to move that add-on, e.g. { coredns: v1.12.4-eksbuild.2 }.
     */
    addonVersions: v.optional(
        v.record(
            v.picklist(eksAddonNames, `must be one of the add-ons the cluster runs: ${eksAddonNames.join(", ")}`),
            matching(eksAddonVersionPattern, "must be an EKS add-on build such as v1.20.4-eksbuild.1"),
        ),
        () => ({}),
    ),
});

/**
 * The cluster, by flavour: `existing` needs `existing` (may be {}), `aws` needs `aws`. The other
 * flavour's settings may stay in the file (environment defaults carry them) and are ignored.
 */
/** The other flavour's settings: accepted and dropped, so the model holds only what the flavour uses. */
const ignored = v.pipe(
    v.optional(v.unknown()),
    v.transform((): undefined => undefined),
);

const cluster = v.variant("flavour", [
    v.strictObject({ flavour: v.literal("existing"), ...clusterCommon, existing: existingCluster, aws: ignored }),
    v.strictObject({ flavour: v.literal("aws"), ...clusterCommon, aws: awsCluster, existing: ignored }),
]);
export type ClusterConfig = v.InferOutput<typeof cluster>;

const inClusterData = v.strictObject({
    postgresImage: v.string(),
    valkeyImage: v.string(),
    mailpitImage: v.string(),
    databaseStorage: storageQuantity,
    mediaStorage: storageQuantity,
    /**
     * Access mode of the media volume, which also holds Saleor's private files (webhook payloads
     * the API writes and the worker reads). ReadWriteOnce (default) shares it between pods on one
     * node: every single-node cluster (kind, minikube, Docker Desktop), and what kind's storage
     * provisioner offers. ReadWriteMany, with a storageClassName that provides it (NFS, EFS, Azure
     * Files, Filestore), for a cluster with more nodes.
     */
    mediaAccessMode: v.optional(v.picklist(["ReadWriteOnce", "ReadWriteMany"]), "ReadWriteOnce"),
    /** StorageClass for the volumes; the cluster default when unset. */
    storageClassName: v.optional(v.string()),
});

const awsData = v.strictObject({
    postgres: v.strictObject({
        engineVersion: matching(/^1[5-9](\.[0-9]+)?$/, "must be PostgreSQL 15 or newer (Django 5.2 needs >= 14; Saleor tests on 15)"),
        instanceClass: matching(/^db\.[a-z0-9]+\.[a-z0-9]+$/, "must be an RDS instance class such as db.r6g.large"),
        allocatedStorageGiB: int(20),
        maxAllocatedStorageGiB: int(20),
        multiAz: v.boolean(),
        backupRetentionDays: int(1, 35),
        deletionProtection: v.boolean(),
        /** Add a read replica in the primary region (a secondary always has its standby, a cross-region one). */
        inRegionReplica: v.boolean(),
    }),
    cache: v.strictObject({
        engineVersion: v.string(),
        nodeType: matching(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, "must be an ElastiCache node type such as cache.r7g.large"),
        /** Cache nodes per region (primary + replicas). */
        nodes: int(1, 6),
        multiAz: v.boolean(),
    }),
    media: v.strictObject({
        /** Days to keep non-current object versions. */
        noncurrentVersionDays: int(1),
        /** Replicate the primary region's bucket to the secondary. */
        replicate: v.boolean(),
    }),
});

/** The data tier, by flavour: `in-cluster` needs `inCluster`, `aws` needs `aws`; the other's settings are ignored. */
const data = v.variant("flavour", [
    v.strictObject({ flavour: v.literal("in-cluster"), inCluster: inClusterData, aws: ignored }),
    v.strictObject({ flavour: v.literal("aws"), aws: awsData, inCluster: ignored }),
]);
export type DataConfig = v.InferOutput<typeof data>;

const app = v.strictObject({
    /** Django DEBUG; only ever true in dev. */
    debug: v.boolean(),
    /** Scheme of the public URLs (PUBLIC_URL turns SSL handling on when https). */
    scheme: v.picklist(["http", "https"]),
    defaultFromEmail: email,
    /** GraphQL playground (PLAYGROUND_ENABLED). */
    playground: v.boolean(),
    /** SEND_USAGE_TELEMETRY (calls home at start). */
    telemetry: v.boolean(),
    /** uvicorn --workers per API pod. */
    apiWorkers: int(1, 16),
    /** celery --concurrency per worker pod. */
    workerConcurrency: int(1, 64),
    /**
     * ALLOWED_GRAPHQL_ORIGINS beyond our own Dashboard and storefront origins, which are always
     * allowed: the origins of the Saleor apps whose UIs the Dashboard shows in iframes (their
     * browser calls to the API carry the app's Origin), or "*" for any origin. Saleor matches each
     * entry with fnmatch (saleor/asgi/cors_handler.py), so `https://*.saleor.app` is a pattern.
     * Default: our own origins only.
     */
    allowedGraphqlOrigins: v.optional(
        v.union(
            [
                v.literal("*"),
                v.array(
                    matching(
                        /^https?:\/\/[a-z0-9*]([a-z0-9*.-]*[a-z0-9*])?(:[0-9]{1,5})?$/,
                        "must be an origin: scheme and host without a path or trailing slash, such as https://app.example.com or https://*.saleor.app",
                    ),
                ),
            ],
            'must be "*" or a list of origins such as ["https://app.example.com"]',
        ),
    ),
});

const operations = v.strictObject({
    /** Public Route 53 hosted zone that holds every host (certificates are validated in it). */
    dnsZone: v.optional(dnsName),
    /**
     * The stack's one public API host (e.g. api.example.com), served by every region: PUBLIC_URL of every
     * Core, the Dashboard's API_URL and the storefront's API URL. With `edge`, Route 53 latency records
     * send it to the nearest region whose `/health/` passes. Required with more than one region, since
     * every Core sharing one database must share one PUBLIC_URL. Default: the region's own `hosts.api`.
     */
    apiHost: v.optional(dnsName),
    /** Per region: ACM certificate, WAF on the ALB, Route 53 records and an /health/ check. */
    edge: v.boolean(),
    /** CloudFront (with its own WAF) in front of the media bucket, as AWS_MEDIA_CUSTOM_DOMAIN. */
    mediaCdn: v.boolean(),
    /** CloudWatch alarms at the production guide's thresholds, a dashboard and an SNS topic per region. */
    alarms: v.boolean(),
    /** Addresses subscribed to every region's alert topic. */
    alertEmails: v.array(email),
    /** Container Insights (node CPU alarm) through the CloudWatch observability add-on. */
    containerInsights: v.boolean(),
    /** Copy every backup to a vault in the secondary region. */
    drBackupCopy: v.boolean(),
    /** OTLP endpoint for Saleor's traces (OTEL_EXPORTER_OTLP_ENDPOINT); no tracing when unset. */
    otlpEndpoint: v.optional(url),
});

/** Days of the week as a release window names them. */
export const weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof weekdays)[number];

/** Whether `zone` is an IANA time zone this Node.js knows (its Intl data is what the driver computes with). */
function isTimeZone(zone: string): boolean {
    try {
        new Intl.DateTimeFormat("en-US", { timeZone: zone });
        return zone.length > 0;
    } catch {
        return false;
    }
}

const clockTime = matching(
    /^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/,
    "must be a local time HH:MM such as 02:00 (24:00 ends a window at midnight)",
);

const releaseWindow = v.pipe(
    v.strictObject({
        days: v.pipe(v.array(v.picklist(weekdays)), v.minLength(1, "needs at least one day")),
        /** Local start time, included. */
        from: clockTime,
        /** Local end time, excluded; later than `from` on the same day (a window does not span midnight). */
        to: clockTime,
    }),
    v.check((w) => w.from < w.to, "from must be earlier than to on the same day; split a window that spans midnight in two"),
);

/** A calendar day YYYY-MM-DD (that exists: 2026-02-30 does not). */
const calendarDate = v.pipe(
    v.string(),
    v.regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD such as 2026-12-24"),
    v.check((d) => {
        const [y, m, day] = d.split("-").map(Number);
        const at = new Date(Date.UTC(y, m - 1, day));
        return at.getUTCFullYear() === y && at.getUTCMonth() === m - 1 && at.getUTCDate() === day;
    }, "is no such day"),
);

/**
 * Keys only the deploy driver (automation/deploy) reads: when a release may start, how long its
 * verification may retry, and where its progress is announced. The program accepts them so one
 * stack file holds the whole stack's configuration.
 */
export const releaseSettingsEntries = {
    /**
     * When the driver may change the stack: any listed window, in `timeZone` (IANA). Absent: at any
     * time. Outside every window only `--emergency "<reason>"` goes ahead.
     */
    releaseWindows: v.optional(
        v.strictObject({
            timeZone: v.pipe(v.string(), v.check(isTimeZone, "must be an IANA time zone such as Europe/Berlin")),
            windows: v.pipe(v.array(releaseWindow), v.minLength(1, "needs at least one window")),
            /** Days (YYYY-MM-DD in `timeZone`) on which no window opens: holidays, freezes. */
            blockedDates: v.optional(v.array(calendarDate)),
        }),
    ),
    /** How long the driver keeps retrying a region's smoke checks before it rolls the region back. */
    releaseVerification: v.optional(
        v.strictObject({
            /** Attempts per check, the first included. */
            attempts: v.optional(int(1, 100), 13),
            /** Wait between two attempts of a check. */
            intervalSeconds: v.optional(int(1, 600), 10),
            /** Per request, body included. */
            timeoutSeconds: v.optional(int(1, 120), 10),
        }),
        () => ({}),
    ),
    /**
     * Slack-compatible incoming webhook (`{"text": ...}` POSTed as JSON) that hears when a release
     * starts, succeeds, rolls back or fails; must be a Pulumi secret (the URL is the credential).
     */
    releaseWebhookUrl: v.optional(
        v.pipe(
            v.string(),
            v.url("must be an https URL such as https://hooks.slack.com/services/T000/B000/XXXX"),
            v.startsWith("https://", "must be an https URL: the webhook URL carries its token"),
        ),
    ),
};

export const releaseSettingsSchema = v.strictObject(releaseSettingsEntries);
/** What the deploy driver reads from the stack file, validated; the webhook URL stays marked secret. */
export interface ReleaseSettings extends Omit<v.InferOutput<typeof releaseSettingsSchema>, "releaseWebhookUrl"> {
    readonly releaseWebhookUrl?: SecretValue;
}

export const stackConfigSchema = v.strictObject({
    environment: v.picklist(environments),
    /** Saleor version (X.Y.Z) the stack runs; also the base of a built Core image. */
    saleorVersion: matching(semver, "must be a Saleor version X.Y.Z such as 3.23.5"),
    /** Core image tag deployed in every region; defaults to saleorVersion. */
    release: v.optional(imageTag),
    /**
     * The release the primary region ran before `release`: its pre-migration snapshot is kept with the
     * current release's, older ones are removed (docs/releasing.md). Unset: only the current one is kept.
     */
    previousRelease: v.optional(imageTag),
    /** Per-region override of `release`, used by the staged rollout to move one region at a time. */
    regionReleases: v.optional(v.record(v.string(), imageTag), () => ({})),
    /**
     * Per-region Saleor version, for a region pinned to a release that is a git SHA: the version its
     * built Core image was built from, so a saleorVersion bump does not rebuild it. The deploy driver
     * sets it with regionReleases from the deployed outputs.
     */
    regionSaleorVersions: v.optional(v.record(v.string(), matching(semver, "must be a Saleor version X.Y.Z such as 3.23.5")), () => ({})),
    /** Dashboard version; its minor must equal Core's. */
    dashboardVersion: matching(semver, "must be a Dashboard version X.Y.Z such as 3.23.2"),
    regions: v.pipe(v.array(region), v.minLength(1, "needs at least one region")),
    images: v.strictObject({
        core: imageSource,
        dashboard: v.strictObject({ repository: nonEmpty }),
        storefront: storefrontSource,
    }),
    workloads: v.strictObject({
        api: workload,
        worker: workload,
        beat: workload,
        dashboard: workload,
        storefront: workload,
        migration: v.strictObject({
            resources,
            /** Pod retries before the migration Job counts as failed. */
            backoffLimit: int(0, 6),
            /** Hard deadline for one migration run. */
            activeDeadlineSeconds: int(60),
        }),
    }),
    storefront,
    cluster,
    data,
    features: v.strictObject({
        /** One-off Job that loads Saleor's demo catalogue and a superuser (`populatedb --createsuperuser`). */
        demoData: v.boolean(),
        /** In-cluster Mailpit as the SMTP server. */
        mailCatcher: v.boolean(),
    }),
    app,
    operations,
    /** HTTPS endpoint (pager or chat) subscribed to the alert topics; must be a Pulumi secret (it usually embeds a token). */
    alertWebhookUrl: v.optional(url),
    /** SMTP URL with credentials (EMAIL_URL); must be a Pulumi secret. */
    emailUrl: v.optional(v.string()),
    /** Sentry DSN (SENTRY_DSN); must be a Pulumi secret. */
    sentryDsn: v.optional(v.string()),
    ...releaseSettingsEntries,
});

export type StackConfigInput = v.InferInput<typeof stackConfigSchema>;
type Parsed = v.InferOutput<typeof stackConfigSchema>;

/** The validated stack model, with secret-bearing values kept as strings that the loader marks secret. */
export interface StackConfig extends Omit<Parsed, "emailUrl" | "sentryDsn" | "alertWebhookUrl" | "releaseWebhookUrl"> {
    /** Release per region, resolved from `release`, `regionReleases` and `saleorVersion`. */
    readonly releases: Record<string, string>;
    /** The Saleor version each region runs (coreVersionOf its release and regionSaleorVersions). */
    readonly saleorVersions: Record<string, string>;
    readonly emailUrl?: SecretValue;
    readonly sentryDsn?: SecretValue;
    readonly alertWebhookUrl?: SecretValue;
    readonly releaseWebhookUrl?: SecretValue;
}

/** A value that must stay secret: only ever wrapped with pulumi.secret where it is used. */
export interface SecretValue {
    readonly secret: true;
    readonly value: string;
}

/** Top-level keys of the `saleor` namespace, in the order problems are reported. */
export const configKeys = Object.keys(stackConfigSchema.entries) as (keyof StackConfigInput)[];
/** Keys whose value carries credentials and so must be set with `pulumi config set --secret`. */
export const secretKeys = ["emailUrl", "sentryDsn", "alertWebhookUrl", "releaseWebhookUrl"] as const;
