import type { PlanState } from "./json";

// How long one resource operation takes, per resource type: what the deployment timeline
// (timeline.ts) puts on each node of the plan's dependency graph (task-graph.ts).
//
// Every entry has a typical value and a high value (the upper end of the range usually reported,
// not the worst case ever seen), and its source. "estimate" means no published figure was found;
// the comment says how the number was reasoned. Numbers are in seconds. Nothing here is tuned to
// make a goal pass.

export type Op = "create" | "update" | "replace" | "delete" | "same";

export interface Duration {
    /** Typical seconds. */
    readonly typical: number;
    /** Upper end of the usual range, seconds. */
    readonly high: number;
}

export interface DurationRule {
    readonly create: Duration;
    readonly update: Duration;
    readonly delete?: Duration;
    /** Short source for reports: a document, a measurement, or "estimate: <why>". */
    readonly source: string;
    readonly estimate: boolean;
}

const d = (typical: number, high: number = typical): Duration => ({ typical, high });
const quick = (source = "estimate: a single control-plane API call, no waiting"): DurationRule => ({
    create: d(3, 10),
    update: d(3, 10),
    source,
    estimate: true,
});
const instant: DurationRule = {
    create: d(0),
    update: d(0),
    delete: d(0),
    source: "no cloud operation (component, provider or local computation)",
    estimate: false,
};

/** Assumptions a user may want to change; the CLI exposes the migration run time. */
export interface Assumptions {
    /** Seconds one `manage.py migrate` run takes on an empty database (first deployment). */
    readonly migrationFirstSeconds: number;
    /** Seconds one `manage.py migrate` run takes for a release (few or no new migrations). */
    readonly migrationReleaseSeconds: number;
    /** Pulling an application image onto a node, seconds (typical/high). */
    readonly imagePull: Duration;
    /** Process start until the first probe can pass, seconds. */
    readonly processStart: Duration;
    /** ECR cross-region replication of a just-pushed image, seconds. */
    readonly ecrReplication: Duration;
    /** The engine's own time outside the graph: preview, program evaluation, plugin start. */
    readonly engineOverhead: Duration;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = {
    // Estimate: Saleor 3.2x has well over a thousand migrations; applying all of them to an empty
    // PostgreSQL takes minutes (upper end: a small instance and slow DDL).
    migrationFirstSeconds: 300,
    // Estimate: a patch release adds few or no migrations; `migrate` still loads Django and reads
    // the migration table (tens of seconds). Use --migration-seconds for a release with data migrations.
    migrationReleaseSeconds: 60,
    // Estimate: a several-hundred-MB Python image from an in-region registry over the node's
    // network; the high value is a cold node and a full pull.
    imagePull: d(45, 120),
    // Estimate: uvicorn/Django or Celery import and start.
    processStart: d(15, 30),
    // Estimate: AWS documents no replication-time guarantee for ECR cross-region replication; a
    // new tag of an image whose base layers already replicated usually appears within a minute.
    ecrReplication: d(60, 600),
    // Estimate: the deploy driver runs a preview (program evaluation, ~250 provider Check/Diff
    // calls) and then the update's own evaluation, plus plugin start.
    engineOverhead: d(60, 180),
};

/**
 * Per resource type. Types that need the resource's inputs (RDS, Deployments, Jobs, images)
 * are refined in `durationOf` below.
 */
export const DURATIONS: Record<string, DurationRule> = {
    // --- EKS ------------------------------------------------------------------------------
    // Measured: control-plane creation 13–16 min across 21 regions, eu-central-1 15m16s,
    // eu-west-1 15m13s (easontechtalk.com "Unofficial EKS Cluster Creation Performance");
    // aws/containers-roadmap#1227: "currently averages 15 minutes". Update: estimate for a
    // config change (logging, access); a version upgrade is longer (25+ min).
    "aws:eks/cluster:Cluster": {
        create: d(900, 1080),
        update: d(300, 1800),
        delete: d(600, 900),
        source: "measured: 13–16 min create (easontechtalk.com; aws/containers-roadmap#1227)",
        estimate: false,
    },
    // Measured: 2m50s (umotif-public/terraform-aws-eks-node-group#7, eu-west-1), 3m36s for a
    // nodegroup stack (eksctl-io/eksctl#482). Update: estimate, a rolling replacement of 3 nodes.
    "aws:eks/nodeGroup:NodeGroup": {
        create: d(180, 360),
        update: d(600, 1500),
        delete: d(300, 600),
        source: "measured: ~3 min create (terraform-aws-eks-node-group#7, eksctl#482)",
        estimate: false,
    },
    // Estimate: an EKS add-on becomes ACTIVE once its pods run (DaemonSets with no nodes yet are 0/0).
    "aws:eks/addon:Addon": { create: d(60, 180), update: d(60, 180), source: "estimate: add-on ACTIVE once its pods run", estimate: true },
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": quick(),
    "aws:eks/accessEntry:AccessEntry": quick(),
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": quick(),
    // --- Network --------------------------------------------------------------------------
    // Measured in Terraform logs: aws_vpc 20 s and 39 s, aws_subnet 5 s and 8 s,
    // aws_elasticache_subnet_group 2 s and 8 s (turbot/steampipe-plugin-aws#184, #246).
    "aws:ec2/vpc:Vpc": {
        create: d(20, 40),
        update: d(5, 15),
        source: "measured: 20–39 s (steampipe-plugin-aws#184/#246 logs)",
        estimate: false,
    },
    "aws:ec2/subnet:Subnet": {
        create: d(6, 10),
        update: d(5, 10),
        source: "measured: 5–8 s (steampipe-plugin-aws#184/#246 logs)",
        estimate: false,
    },
    // Estimate: NAT gateways stay "pending" until "available" (EC2 API NatGateway.state), commonly
    // 1–2 min; the high value allows for a slow zone.
    "aws:ec2/natGateway:NatGateway": {
        create: d(120, 300),
        update: d(5, 15),
        delete: d(60, 120),
        source: "estimate: pending → available, 1–2 min",
        estimate: true,
    },
    "aws:ec2/eip:Eip": quick(),
    "aws:ec2/internetGateway:InternetGateway": quick("estimate: create + attach"),
    "aws:ec2/routeTable:RouteTable": quick(),
    "aws:ec2/route:Route": quick(),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": quick(),
    "aws:ec2/securityGroup:SecurityGroup": {
        create: d(5, 15),
        update: d(3, 10),
        source: "estimate: create + revoke default egress",
        estimate: true,
    },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": quick(),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": quick(),
    // Estimate: a request, then the accepter waits for "active" (seconds within one account).
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": {
        create: d(10, 30),
        update: d(5, 15),
        source: "estimate: request, pending-acceptance",
        estimate: true,
    },
    "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": {
        create: d(10, 30),
        update: d(5, 15),
        source: "estimate: accept, wait for active",
        estimate: true,
    },
    "aws:ec2/peeringConnectionOptions:PeeringConnectionOptions": quick(),
    "aws:ec2/launchTemplate:LaunchTemplate": quick(),
    // Adopting the default group revokes its rules: a describe and a revoke call.
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": quick(),
    "aws:ec2/flowLog:FlowLog": quick(),
    // --- Identity, keys, logs, registry ---------------------------------------------------
    "aws:iam/role:Role": quick("estimate: IAM call; the provider retries through IAM's eventual consistency"),
    "aws:iam/policy:Policy": quick(),
    "aws:iam/rolePolicy:RolePolicy": quick(),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": quick(),
    "aws:iam/user:User": quick(),
    "aws:iam/userPolicy:UserPolicy": quick(),
    "aws:iam/accessKey:AccessKey": quick(),
    // A secret with a replica returns once the replica is requested; the value is one more call.
    "aws:secretsmanager/secret:Secret": {
        create: d(2, 30),
        update: d(2, 15),
        source: "estimate: CreateSecret (and ReplicateSecretToRegions)",
        estimate: true,
    },
    "aws:secretsmanager/secretVersion:SecretVersion": quick(),
    // The provider returns once SES accepts the identity and hands out the DKIM tokens; verification
    // (DNS seen by SES, up to 72 hours) happens afterwards and nothing waits for it.
    "aws:ses/domainIdentity:DomainIdentity": quick(),
    "aws:ses/domainDkim:DomainDkim": quick(),
    "aws:kms/key:Key": { create: d(10, 30), update: d(5, 15), source: "estimate: CreateKey plus policy propagation", estimate: true },
    "aws:kms/alias:Alias": quick(),
    "aws:kms/keyPolicy:KeyPolicy": quick(),
    "aws:cloudwatch/logGroup:LogGroup": quick(),
    "aws:ecr/repository:Repository": quick(),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": quick(),
    "aws:ecr/replicationConfiguration:ReplicationConfiguration": quick(),
    "aws:sns/topic:Topic": quick(),
    "aws:sns/topicPolicy:TopicPolicy": quick(),
    "aws:sns/topicSubscription:TopicSubscription": quick(),
    "aws:cloudwatch/metricAlarm:MetricAlarm": quick(),
    "aws:cloudwatch/dashboard:Dashboard": quick(),
    "aws:cloudwatch/eventRule:EventRule": quick(),
    "aws:cloudwatch/eventTarget:EventTarget": quick(),
    // The restore tests' validation function: CreateFunction returns while the function is Pending;
    // the provider waits for Active (a small zip, no VPC: seconds).
    "aws:lambda/function:Function": quick(
        "estimate: CreateFunction plus the provider's wait for the Active state; a small zip outside a VPC",
    ),
    "aws:lambda/permission:Permission": quick(),
    // --- Edge: certificates, DNS, CDN, WAF ------------------------------------------------------
    // The Certificate resource returns while the certificate is PENDING_VALIDATION.
    "aws:acm/certificate:Certificate": {
        create: d(10, 30),
        update: d(5, 15),
        source: "estimate: RequestCertificate returns at PENDING_VALIDATION",
        estimate: true,
    },
    // Estimate: DNS validation usually completes in minutes once the records exist; aws-cdk#2914
    // saw 5-min waits time out (raised to 9.5 min), hashicorp/terraform-provider-aws#9338 reports
    // rare waits over an hour (ACM retries for 72 h, per the ACM API CertificateDetail.Status).
    "aws:acm/certificateValidation:CertificateValidation": {
        create: d(300, 1800),
        update: d(0, 0),
        source: "estimate: DNS validation minutes (aws-cdk#2914, terraform-provider-aws#9338)",
        estimate: true,
    },
    // Estimate: a change batch is INSYNC once every Route 53 name server has it, usually within a minute.
    "aws:route53/record:Record": {
        create: d(45, 90),
        update: d(45, 90),
        source: "estimate: change batch PENDING → INSYNC",
        estimate: true,
    },
    "aws:route53/healthCheck:HealthCheck": quick(),
    // Estimate: a distribution change is "InProgress" until deployed to the edge locations.
    "aws:cloudfront/distribution:Distribution": {
        create: d(300, 900),
        update: d(300, 900),
        delete: d(900, 1800),
        source: "estimate: InProgress → Deployed at the edge",
        estimate: true,
    },
    "aws:cloudfront/originAccessControl:OriginAccessControl": quick(),
    "aws:cloudfront/cachePolicy:CachePolicy": quick(),
    "aws:cloudfront/originAccessIdentity:OriginAccessIdentity": quick(),
    "aws:wafv2/ipSet:IpSet": quick(),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": quick(),
    "aws:wafv2/webAcl:WebAcl": {
        create: d(10, 60),
        update: d(10, 60),
        source: "estimate: WAFv2 API with lock-token retries",
        estimate: true,
    },
    // --- S3 ---------------------------------------------------------------------------------
    "aws:s3/bucket:Bucket": quick("estimate: CreateBucket plus the provider's read-back"),
    "aws:s3/bucketV2:BucketV2": quick("estimate: CreateBucket plus the provider's read-back"),
    "aws:s3/bucketVersioning:BucketVersioning": quick(),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": quick(),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": quick(),
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": quick(),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": quick(),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": quick(),
    // PutBucketMetricsConfiguration: one call, no waiting.
    "aws:s3/bucketMetric:BucketMetric": quick(),
    "aws:s3/bucketPolicy:BucketPolicy": quick(),
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": quick(),
    "aws:s3/bucketLogging:BucketLogging": quick(),
    // --- Data ---------------------------------------------------------------------------------
    // Refined by durationOf (writer / Multi-AZ / replica / cross-region / applyImmediately).
    "aws:rds/instance:Instance": {
        create: d(480, 600),
        update: d(60, 120),
        delete: d(600, 1200),
        source: "see durationOf",
        estimate: false,
    },
    // The snapshot taken before a release's migration, awaited until `available`. Estimate: RDS
    // snapshots are incremental after the first (Amazon RDS User Guide, "Creating a DB snapshot"),
    // and the writer already has automated and AWS Backup snapshots, so a release's snapshot copies
    // the blocks changed since the last one: minutes typically; the high value is a busy writer
    // hours after its last backup. No published figure was found.
    "aws:rds/snapshot:Snapshot": {
        create: d(300, 1800),
        update: d(3, 10),
        delete: d(5, 60),
        source: "estimate: incremental RDS snapshot of the writer, awaited until available",
        estimate: true,
    },
    "aws:rds/subnetGroup:SubnetGroup": quick(),
    "aws:rds/parameterGroup:ParameterGroup": quick(),
    // Estimate: replication groups are commonly reported at 10–15 min; provider acceptance tests
    // have hit 40- and 50-min timeouts (hashicorp/terraform-provider-aws#2048, #4093), outliers
    // not used here. An update with applyImmediately=false is queued for the maintenance window.
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        create: d(720, 1200),
        update: d(60, 120),
        delete: d(600, 900),
        source: "estimate: 10–15 min commonly reported (timeouts in terraform-provider-aws#2048/#4093 are outliers)",
        estimate: true,
    },
    "aws:elasticache/subnetGroup:SubnetGroup": {
        create: d(3, 8),
        update: d(3, 8),
        source: "measured: 2–8 s (steampipe-plugin-aws#184/#246 logs)",
        estimate: false,
    },
    "aws:elasticache/parameterGroup:ParameterGroup": quick(),
    "aws:backup/vault:Vault": quick(),
    "aws:backup/plan:Plan": quick(),
    "aws:backup/selection:Selection": quick(),
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": quick(),
    "aws:backup/vaultPolicy:VaultPolicy": quick(),
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": quick(),
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": quick(),
    // --- Images -------------------------------------------------------------------------------
    // Refined by durationOf: a thin image on a published base vs. a full application build.
    "docker:index/image:Image": { create: d(180, 360), update: d(180, 360), delete: d(5, 15), source: "see durationOf", estimate: true },
    // --- Kubernetes ---------------------------------------------------------------------------
    // The provider's await logic (@pulumi/kubernetes .d.ts of each kind) decides what "done" means.
    "kubernetes:core/v1:Namespace": {
        create: d(3, 10),
        update: d(2, 5),
        delete: d(10, 60),
        source: "estimate: one API call (a delete waits for finalizers)",
        estimate: true,
    },
    "kubernetes:core/v1:ServiceAccount": quick("estimate: one API call"),
    "kubernetes:rbac.authorization.k8s.io/v1:Role": quick("estimate: one API call"),
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": quick("estimate: one API call"),
    "kubernetes:core/v1:ConfigMap": quick("estimate: one API call"),
    "kubernetes:core/v1:Secret": quick("estimate: one API call"),
    "kubernetes:storage.k8s.io/v1:StorageClass": quick("estimate: one API call"),
    "kubernetes:policy/v1:PodDisruptionBudget": quick("estimate: one API call"),
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": quick("estimate: one API call"),
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": quick("estimate: one API call"),
    // External Secrets Operator's kinds (a CRD installed by its chart). An ExternalSecret is awaited
    // until ESO reports Ready (pulumi.com/waitFor), that is one read of Secrets Manager and one write.
    "kubernetes:external-secrets.io/v1:ClusterSecretStore": quick("estimate: one API call"),
    // No await of its own: a template that the Rollouts' AnalysisRuns are made from.
    "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate": quick("estimate: one API call"),
    "kubernetes:external-secrets.io/v1:ExternalSecret": {
        create: d(2, 30),
        update: d(2, 30),
        source: "estimate: ESO's first sync after the object appears",
        estimate: true,
    },
    // @pulumi/kubernetes core/v1/service.d.ts: waits for the Endpoints object and then "wait 10
    // seconds for any stragglers"; a ClusterIP Service whose pods do not exist yet has no
    // not-ready endpoints, so it completes after that pause.
    "kubernetes:core/v1:Service": {
        create: d(12, 20),
        update: d(12, 20),
        source: "@pulumi/kubernetes Service await: endpoints + 10 s straggler wait",
        estimate: false,
    },
    // @pulumi/kubernetes networking/v1/ingress.d.ts: waits for .status.loadBalancer.ingress, which
    // the AWS Load Balancer Controller sets once it has created (or joined) the ALB. Estimate.
    "kubernetes:networking.k8s.io/v1:Ingress": {
        create: d(60, 180),
        update: d(15, 60),
        source: "estimate: await status.loadBalancer (ALB via the LB controller)",
        estimate: true,
    },
    // Estimate: chart install plus the Release's default await of its workloads (controller pods ready).
    "kubernetes:helm.sh/v3:Release": {
        create: d(90, 300),
        update: d(60, 180),
        source: "estimate: helm install + await pods ready",
        estimate: true,
    },
    // Estimate: a PVC binds at once, or on first consumer (WaitForFirstConsumer storage classes).
    "kubernetes:core/v1:PersistentVolumeClaim": {
        create: d(5, 60),
        update: d(5, 30),
        source: "estimate: bind or WaitForFirstConsumer",
        estimate: true,
    },
    // Refined by durationOf (rollout = readiness per batch, bounded by the probes).
    "kubernetes:apps/v1:Deployment": {
        create: d(75, 330),
        update: d(75, 330),
        delete: d(10, 45),
        source: "see durationOf",
        estimate: true,
    },
    // Refined by durationOf (a canary: its steps' pods and pauses).
    "kubernetes:argoproj.io/v1alpha1:Rollout": {
        create: d(75, 330),
        update: d(75, 330),
        delete: d(10, 45),
        source: "see durationOf",
        estimate: true,
    },
    "kubernetes:apps/v1:StatefulSet": {
        create: d(75, 330),
        update: d(75, 330),
        delete: d(10, 45),
        source: "see durationOf",
        estimate: true,
    },
    "kubernetes:batch/v1:Job": { create: d(120, 600), update: d(120, 600), delete: d(5, 30), source: "see durationOf", estimate: true },
    // --- Local ---------------------------------------------------------------------------------
    "random:index/randomPassword:RandomPassword": instant,
    "tls:index/privateKey:PrivateKey": instant,
    // The connection pooler's CA and server certificate: signed locally by the provider, no API call.
    "tls:index/certRequest:CertRequest": instant,
    "tls:index/selfSignedCert:SelfSignedCert": instant,
    "tls:index/locallySignedCert:LocallySignedCert": instant,
};

/** For types not in the table: a few seconds, flagged as an estimate in the report. */
const fallback: DurationRule = { create: d(5, 30), update: d(5, 30), source: "estimate: type not in the durations table", estimate: true };

export interface Estimate {
    typical: number;
    high: number;
    /** What the number stands for, e.g. "RDS Multi-AZ create" or "3 batches × readiness". */
    basis: string;
    source: string;
    estimate: boolean;
}

/** What durationOf may need to know beyond the resource itself. */
export interface DurationContext {
    readonly assumptions: Assumptions;
    /** The AWS region the resource's provider targets, if known. */
    regionOfProvider(state: PlanState): string | undefined;
    /** Replica count an HPA keeps for a Deployment (its minReplicas), if one targets it. */
    hpaMinReplicas(state: PlanState): number | undefined;
    /** Whether this deployment is the first (everything created): migrations then run from scratch. */
    readonly firstDeployment: boolean;
    /** Seconds of `migrate` to assume instead of the defaults (--migration-seconds). */
    readonly migrationSeconds?: number;
}

export function isComponentOrProvider(s: Pick<PlanState, "type" | "custom">): boolean {
    return !s.custom || s.type.startsWith("pulumi:providers:") || s.type === "pulumi:pulumi:Stack";
}

/** The duration of one operation on one resource. */
export function durationOf(s: PlanState, op: Op, ctx: DurationContext): Estimate {
    if (op === "same" || isComponentOrProvider(s)) {
        return { typical: 0, high: 0, basis: op === "same" ? "unchanged" : "no operation", source: instant.source, estimate: false };
    }
    const rule = DURATIONS[s.type] ?? fallback;
    const base = (o: "create" | "update" | "delete", basis: string): Estimate => {
        const v = o === "delete" ? (rule.delete ?? d(10, 30)) : rule[o];
        return {
            ...v,
            basis,
            source: rule.delete || o !== "delete" ? rule.source : "estimate: deletion",
            estimate: rule.estimate || (o === "delete" && !rule.delete),
        };
    };
    const kind = op === "delete" ? "delete" : op === "update" ? "update" : "create";
    const short = s.type.split(":").pop() ?? s.type;
    const i = s.inputs as Record<string, any>;

    if (s.type === "aws:rds/instance:Instance" && kind !== "delete") return rds(i, kind, ctx.regionOfProvider(s));
    if (s.type === "aws:elasticache/replicationGroup:ReplicationGroup" && kind === "update" && i.applyImmediately !== false) {
        return {
            typical: 900,
            high: 1800,
            basis: "ElastiCache modify (applied immediately)",
            source: "estimate: node replacement",
            estimate: true,
        };
    }
    if (s.type === "docker:index/image:Image" && kind !== "delete") return image(i);
    if ((s.type === "kubernetes:apps/v1:Deployment" || s.type === "kubernetes:apps/v1:StatefulSet") && kind !== "delete") {
        return rollout(s, kind, ctx);
    }
    if (s.type === "kubernetes:argoproj.io/v1alpha1:Rollout" && kind !== "delete") return canary(s, kind, ctx);
    if (s.type === "kubernetes:batch/v1:Job" && kind !== "delete") return job(i, ctx);
    return base(kind, `${short} ${kind}`);
}

function rds(i: Record<string, any>, kind: "create" | "update", region: string | undefined): Estimate {
    if (kind === "update") {
        return i.applyImmediately === false
            ? {
                  typical: 60,
                  high: 120,
                  basis: "RDS modify queued for the maintenance window",
                  source: "estimate: applyImmediately=false returns once the modification is pending",
                  estimate: true,
              }
            : {
                  typical: 900,
                  high: 1800,
                  basis: "RDS modify applied immediately",
                  source: "estimate: instance class/storage change",
                  estimate: true,
              };
    }
    const source = typeof i.replicateSourceDb === "string" ? i.replicateSourceDb : undefined;
    if (source) {
        const sourceRegion = /^arn:aws[\w-]*:rds:([a-z0-9-]+):/.exec(source)?.[1];
        if (sourceRegion && region && sourceRegion !== region) {
            // AWS RDS User Guide "Creating a read replica in a different AWS Region": an automated
            // snapshot of the source, a cross-Region snapshot copy, then a restore; the time grows
            // with the source's size. Estimate for a new (near-empty) 500 GiB source: 20–30 min;
            // large sources take much longer (hashicorp/terraform-provider-aws#22990).
            return {
                typical: 1500,
                high: 2400,
                basis: "RDS cross-Region read replica create",
                source: "estimate: snapshot → cross-Region copy → restore (AWS RDS User Guide USER_ReadRepl.XRgn)",
                estimate: true,
            };
        }
        // Estimate: snapshot of the source plus an instance create; read replicas of larger
        // sources run past the 40-min provider timeout (hashicorp/terraform#6948).
        return {
            typical: 900,
            high: 1500,
            basis: "RDS read replica create",
            source: "estimate: source snapshot + instance create (hashicorp/terraform#6948)",
            estimate: true,
        };
    }
    // Measured (hashicorp/terraform#498, RDS event log): single-AZ "up to 5/10 minutes", Multi-AZ
    // "15/20 minutes" (instance, conversion to Multi-AZ, first backup).
    return i.multiAz === true
        ? {
              typical: 1080,
              high: 1500,
              basis: "RDS Multi-AZ create",
              source: "measured: 15–20 min (hashicorp/terraform#498)",
              estimate: false,
          }
        : {
              typical: 480,
              high: 600,
              basis: "RDS single-AZ create",
              source: "measured: 5–10 min (hashicorp/terraform#498)",
              estimate: false,
          };
}

function image(i: Record<string, any>): Estimate {
    const name = String(i.imageName ?? "");
    // Estimate: the storefront is a Next.js app built from source (dependency install + `next
    // build`) on a 2–4 vCPU runner, then pushed.
    if (/storefront/i.test(name)) {
        return {
            typical: 420,
            high: 900,
            basis: "docker build (Next.js from source) + push",
            source: "estimate: install + next build + push",
            estimate: true,
        };
    }
    // Estimate: images/core is FROM the published Saleor image plus one USER line: pull the base
    // (several hundred MB) and push every layer to a fresh ECR repository.
    return {
        typical: 180,
        high: 360,
        basis: "docker build (thin layer on a published image) + push",
        source: "estimate: base pull + push to ECR",
        estimate: true,
    };
}

function containersOf(i: Record<string, any>): Record<string, any>[] {
    return (i.spec?.template?.spec?.containers ?? []) as Record<string, any>[];
}

/** Typical and high seconds until one new pod is Ready, from its probes. */
export function podReady(i: Record<string, any>, a: Assumptions): Duration {
    let typical = 0;
    let high = 0;
    for (const c of containersOf(i)) {
        const startup = c.startupProbe;
        const readiness = c.readinessProbe;
        // The kubelet probes every periodSeconds and counts a probe only once initialDelaySeconds
        // have passed: the first one that counts comes on average half a period after that.
        const first = (p: any) => (p ? (p.initialDelaySeconds ?? 0) + (p.periodSeconds ?? 10) / 2 : 0);
        const window = (p: any) => (p ? (p.initialDelaySeconds ?? 0) + (p.periodSeconds ?? 10) * (p.failureThreshold ?? 3) : 0);
        typical = Math.max(typical, first(startup) + first(readiness));
        // The startup probe bounds a slow start; without one, the readiness probe's window does.
        high = Math.max(high, startup ? window(startup) + first(readiness) : window(readiness));
    }
    return { typical: a.imagePull.typical + a.processStart.typical + typical, high: a.imagePull.high + a.processStart.high + high };
}

/** A Deployment (or StatefulSet) rollout: batches of new pods, each ready per its probes. */
function rollout(s: PlanState, kind: "create" | "update", ctx: DurationContext): Estimate {
    const i = s.inputs as Record<string, any>;
    const ready = podReady(i, ctx.assumptions);
    const replicas = Number(i.spec?.replicas ?? (kind === "update" ? ctx.hpaMinReplicas(s) : undefined) ?? 1);
    const strategy = i.spec?.strategy?.type ?? "RollingUpdate";
    let batches = 1;
    let how = "all pods start together";
    if (kind === "update" && strategy === "Recreate") {
        // Old pods stop first: SIGTERM, up to terminationGracePeriodSeconds (default 30).
        const grace = Number(i.spec?.template?.spec?.terminationGracePeriodSeconds ?? 30);
        return finish(1, ready, { typical: 10, high: grace }, "Recreate: old pods stop, then new ones start", replicas);
    }
    if (kind === "update" && s.type === "kubernetes:apps/v1:StatefulSet") {
        batches = replicas;
        how = "one pod at a time (StatefulSet)";
    } else if (kind === "update") {
        const ru = i.spec?.strategy?.rollingUpdate ?? {};
        const step = Math.max(
            1,
            count(ru.maxSurge ?? "25%", replicas, Math.ceil) + count(ru.maxUnavailable ?? "25%", replicas, Math.floor),
        );
        batches = Math.ceil(replicas / step);
        how = `rolling ${step} at a time`;
    }
    return finish(batches, ready, { typical: 0, high: 0 }, how, replicas);
}

/**
 * An Argo Rollout's canary. Created: "Initial creations of any Rollout will immediately scale up the
 * replicas to 100% (skipping any canary upgrade steps, analysis, etc...)" (argo-rollouts
 * docs/getting-started.md): one batch. Updated: each `setWeight` starts that share of the pods (with
 * traffic routing, the ALB's or ingress-nginx's, the canary ReplicaSet is scaled to the weight), each pause waits its duration,
 * and the promotion after the last step starts the rest: one batch of readiness per weight plus the
 * promotion's, and the pauses.
 */
function canary(s: PlanState, kind: "create" | "update", ctx: DurationContext): Estimate {
    const i = s.inputs as Record<string, any>;
    const ready = podReady(i, ctx.assumptions);
    const replicas = Number(i.spec?.replicas ?? ctx.hpaMinReplicas(s) ?? 1);
    if (kind === "create") return finish(1, ready, { typical: 0, high: 0 }, "a new Rollout starts every pod at once", replicas);
    const steps = (i.spec?.strategy?.canary?.steps ?? []) as { setWeight?: number; pause?: { duration?: string } }[];
    const weights = steps.filter((x) => x.setWeight !== undefined).map((x) => x.setWeight);
    const paused = steps.reduce((sum, x) => sum + (x.pause?.duration !== undefined ? pauseSeconds(x.pause.duration) : 0), 0);
    const batches = weights.length + 1;
    return {
        typical: batches * ready.typical + paused,
        high: batches * ready.high + paused,
        basis: `${replicas} replica(s), canary ${[...weights, 100].join("% → ")}%: ${batches} × pod readiness + ${paused} s of pauses`,
        source: "model: a batch of pods per canary weight and the promotion, each ready per its probes, plus the steps' pauses (argo-rollouts docs/features/canary)",
        estimate: true,
    };
}

/** Seconds of an Argo pause duration ("30s", "2m", "1h"; a bare number is seconds); 0 for an indefinite pause. */
function pauseSeconds(duration: string): number {
    const m = /^(\d+)(s|m|h)?$/.exec(String(duration));
    return m ? Number(m[1]) * { s: 1, m: 60, h: 3600 }[(m[2] ?? "s") as "s" | "m" | "h"] : 0;
}

function finish(batches: number, ready: Duration, extra: Duration, how: string, replicas: number): Estimate {
    return {
        typical: batches * ready.typical + extra.typical,
        high: batches * ready.high + extra.high,
        basis: `${replicas} replica(s), ${how}: ${batches} × pod readiness`,
        source: "model: image pull + start + first passing probe per batch; high = startup-probe bound (@pulumi/kubernetes Deployment await: Available)",
        estimate: true,
    };
}

function count(v: unknown, replicas: number, round: (n: number) => number): number {
    if (typeof v === "string" && v.endsWith("%")) return round((parseFloat(v) / 100) * replicas);
    return Number(v) || 0;
}

function isMigration(i: Record<string, any>): boolean {
    return containersOf(i).some((c) => JSON.stringify([c.command ?? [], c.args ?? []]).includes("migrate"));
}

/** A Job is awaited until Complete (@pulumi/kubernetes batch/v1/job.d.ts): pod start plus its run. */
function job(i: Record<string, any>, ctx: DurationContext): Estimate {
    const a = ctx.assumptions;
    // A canary's gate (components/kubernetes/rollout-gate.ts) starts as soon as its Rollout is applied
    // and returns at the poll after the Rollout reports Healthy. The canary's own time (steps,
    // pauses, pods) is modelled on the Rollout, which the gate follows here: its pod starts during the
    // canary, so only the last poll remains.
    if (i.spec?.template?.metadata?.labels?.["app.kubernetes.io/component"] === "rollout-gate") {
        return {
            typical: 5,
            high: 30,
            basis: "rollout gate: the poll after the canary is Healthy (the canary is modelled on its Rollout)",
            source: "model: components/kubernetes/rollout-gate.ts polls every 5 s",
            estimate: true,
        };
    }
    const migration = isMigration(i);
    // --migration-seconds is the migration's run time; the other Jobs (collectstatic, the database role) keep theirs.
    const run = migration ? (ctx.migrationSeconds ?? (ctx.firstDeployment ? a.migrationFirstSeconds : a.migrationReleaseSeconds)) : 60;
    const start = a.imagePull.typical + a.processStart.typical;
    const deadline = Number(i.spec?.activeDeadlineSeconds ?? 0);
    // The migration's init container (components/core/release-stop.ts) runs first, in the image the
    // pod already pulled: Python's start, two scale calls, then polls every 5 s until both report 0
    // replicas. Estimate: the Deployment controller marks the old pods within seconds; the high value
    // allows a slow controller and a few polls.
    const initContainers = (i.spec?.template?.spec?.initContainers ?? []) as unknown[];
    const stop =
        migration && initContainers.length > 0 ? { typical: a.processStart.typical + 10, high: a.processStart.high + 60 } : undefined;
    return {
        typical: start + (stop?.typical ?? 0) + run,
        high: a.imagePull.high + a.processStart.high + (stop?.high ?? 0) + Math.max(run * 2, Math.min(deadline || run * 2, run * 3)),
        basis: migration
            ? `migration Job: pod start + ${stop ? "stop worker and beat + " : ""}migrate (${run} s assumed${ctx.migrationSeconds !== undefined ? ", --migration-seconds" : ""})`
            : `Job: pod start + run (${run} s assumed)`,
        source: "assumption: migration run time (--migration-seconds); Job awaited until Complete",
        estimate: true,
    };
}
