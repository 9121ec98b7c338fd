import type * as pulumi from "@pulumi/pulumi";
import type { NetworkFacts } from "../cluster/types";
import type { MediaCdnOriginArgs } from "../edge/types";

// The data tier's argument and fact types, apart from DataTier so that its flavours, the edge and
// Core can name them without importing the component that loads them (an import cycle).

/** PostgreSQL, Valkey, a media volume and (optionally) Mailpit inside the cluster: the dev data tier. */
export interface InClusterDataArgs {
    readonly namespace: pulumi.Input<string>;
    /** app.kubernetes.io/instance label of every object. */
    readonly instance: string;
    /** PostgreSQL image (15 or newer). */
    readonly postgresImage: string;
    /** Valkey (or Redis) image. */
    readonly valkeyImage: string;
    /** Size of the database volume, e.g. "10Gi". */
    readonly databaseStorage: string;
    /** Size of the shared media volume, e.g. "5Gi". */
    readonly mediaStorage: string;
    /**
     * Access mode of the media volume, which every Core pod mounts at /app/media (MEDIA_ROOT): media
     * and Saleor's private files (webhook payloads). ReadWriteOnce shares it between pods on one
     * node only. Default: "ReadWriteOnce".
     */
    readonly mediaAccessMode?: "ReadWriteOnce" | "ReadWriteMany";
    /** StorageClass for every volume. Default: the cluster's default class. */
    readonly storageClassName?: string;
    /** Mailpit image; no mail catcher when unset. */
    readonly mailCatcherImage?: string;
}

/** RDS PostgreSQL, ElastiCache and S3 in one AWS region; the AWS provider comes from `opts.providers.aws`. */
export interface AwsDataArgs {
    /** Region these services live in; must match the AWS provider. */
    readonly region: string;
    /** The primary region hosts the writer; a secondary gets a cross-region read replica of it. */
    readonly role: "primary" | "secondary";
    readonly network: NetworkFacts;
    /**
     * CIDRs of other regions' nodes allowed to reach this region's writer or standby (a secondary's
     * workloads write across regions; admitted in both roles, so a promoted standby needs no rule change).
     */
    readonly peerCidrs?: string[];
    /**
     * The stack's other regions: Core's CA bundle carries their RDS root CAs too (a secondary writes
     * to the primary's writer; either may be the writer after a failover). Default: none.
     */
    readonly peerRegions?: string[];
    /**
     * The password of `saleor_app`, the role Core connects as (created by Core's database-role Job),
     * secret: one per stack, not per region, so a promoted standby already has the role and the
     * password every region's Core uses. The master password is RDS's own (`manageMasterUserPassword`).
     */
    readonly appPassword: pulumi.Input<string>;
    readonly postgres: {
        /** Major or major.minor, 15 or newer. */
        readonly engineVersion: string;
        readonly instanceClass: string;
        readonly allocatedStorageGiB: number;
        readonly maxAllocatedStorageGiB: number;
        readonly multiAz: boolean;
        /** Days of automated backups (point-in-time recovery) and of AWS Backup snapshots. */
        readonly backupRetentionDays: number;
        /** Hours between AWS Backup snapshots of the writer. Default: 6 (the Production Deployment Guide). */
        readonly snapshotIntervalHours?: number;
        readonly deletionProtection: boolean;
        /** An extra read replica in this region (primary only). */
        readonly inRegionReplica: boolean;
    };
    readonly cache: {
        readonly engineVersion: string;
        readonly nodeType: string;
        readonly nodes: number;
        readonly multiAz: boolean;
    };
    readonly media: {
        readonly noncurrentVersionDays: number;
        /** A secondary replicates the primary's bucket into its own. */
        readonly replicate: boolean;
        /** Browser origins allowed to fetch media (storefront and dashboard hosts). */
        readonly corsOrigins: string[];
        /**
         * A CDN (components/edge MediaCdn) reads this region's bucket: the tier then writes neither
         * the bucket's policy nor its key's policy, and hands both over as `mediaCdnOrigin` for the
         * CDN to write with its read grant added. Set it in every region, so a failover moves the
         * CDN's origin without moving a policy. Default: false.
         */
        readonly cdn?: boolean;
    };
    /**
     * AWS Backup of the writer and the media bucket (primary only). Default: none (RDS automated
     * backups and point-in-time recovery only).
     */
    readonly backup?: {
        /**
         * This region's vault (BackupVault, created before the tiers). Vaults belong to regions, not
         * roles: a failover moves the plan, never the recovery points.
         */
        readonly vaultName: pulumi.Input<string>;
        /** Vaults in other regions that receive a copy of every recovery point, kept as long as the original. Default: none. */
        readonly copyToVaultArns?: pulumi.Input<string>[];
    };
    /** Facts of the primary region's tier; required for a secondary. */
    readonly primary?: PrimaryDataFacts;
    /** Protect stateful resources from deletion and replacement (production). */
    readonly protect: boolean;
    /**
     * Where S3 writes the server access logs of this region's media and private buckets: a bucket of
     * the same region that lets logging.s3.amazonaws.com write under `prefix/` (RegionalLogs'
     * `s3AccessLogs`). Default: no access logs.
     */
    readonly accessLogs?: { readonly bucket: pulumi.Input<string>; readonly prefix: string };
    /** Kubernetes namespace and service account the workloads run as (for Pod Identity on the bucket). */
    readonly workloadIdentity: {
        readonly namespace: pulumi.Input<string>;
        readonly serviceAccountName: string;
        readonly clusterName: pulumi.Input<string>;
    };
    readonly tags?: Record<string, string>;
    /**
     * The permissions boundary of every IAM role the tier creates (RDS monitoring, AWS Backup, S3
     * replication, the workload's Pod Identity role): the bootstrap's workload boundary of the stack's environment.
     */
    readonly permissionsBoundaryArn: string;
}

/** What a secondary region's data tier needs from the primary's. */
export interface PrimaryDataFacts {
    /** The primary's region: where the writer and the media bucket live. */
    readonly region: string;
    /** ARN of the writer instance (source of the standby). */
    readonly writerArn: pulumi.Output<string>;
    /** Connection URL of the writer, secret. */
    readonly writerUrl: pulumi.Output<string>;
    /** The primary's media bucket, the source of replication. */
    readonly mediaBucketArn: pulumi.Output<string>;
    /** Name of that bucket: every region's Core writes media there (one writer, like the database). */
    readonly mediaBucketName: pulumi.Output<string>;
    /** KMS key encrypting that bucket; a writer needs it to put and read objects. */
    readonly mediaKeyArn: pulumi.Output<string>;
    /** Versioning of that bucket; replication may only be configured once it is on. */
    readonly mediaVersioning: pulumi.Resource;
    /** The primary's private bucket (Saleor's private storage): every region's Core writes there too. */
    readonly privateBucketName: pulumi.Output<string>;
    readonly privateBucketArn: pulumi.Output<string>;
    /** KMS key encrypting that bucket. */
    readonly privateKeyArn: pulumi.Output<string>;
    /**
     * AWS provider of the primary region. The secondary configures replication on the primary's
     * bucket, an S3 resource that exists only in the bucket's own region, so it needs this provider
     * rather than its own. Taken from the primary DataTier's `providers` option; undefined when that
     * tier used the default provider, in which case a secondary cannot replicate.
     */
    readonly provider?: pulumi.ProviderResource;
}

export interface DataTierArgs {
    /** Exactly one of `inCluster` or `aws` selects the flavour. */
    readonly inCluster?: InClusterDataArgs;
    readonly aws?: AwsDataArgs;
}

/**
 * A region's media bucket as a CDN origin (MediaCdn's `origins` entry), with what its bucket and key
 * policies must keep. The CDN needs the bucket before its distribution exists, and the policies need
 * the distribution's ARN, so the tier builds the bucket and the CDN writes the (one) bucket policy
 * and the key policy. The tier always hands over the policy it would have written, as an alias.
 */
export interface MediaCdnOrigin extends MediaCdnOriginArgs {
    /** The policy the tier wrote before the CDN took it over: an in-place update, never delete-after-create. */
    readonly bucketPolicyAliases: pulumi.Alias[];
}

/** Where media files live, as Saleor is told about them. */
export type MediaStorage =
    | { readonly kind: "volume"; readonly claimName: pulumi.Output<string> }
    | {
          readonly kind: "s3";
          readonly bucket: pulumi.Output<string>;
          readonly region: string;
          readonly customDomain?: pulumi.Output<string>;
          /**
           * Saleor's private storage (AWS_MEDIA_PRIVATE_BUCKET_NAME): webhook payloads the API writes
           * and the worker reads. In `region`, like the media bucket. On a volume it is the volume.
           */
          readonly privateBucket: pulumi.Output<string>;
      };

/** Connection facts the data tier hands to the apps: SaleorCore, and the storefront its page cache. Every URL that carries a password is a Pulumi secret. */
export interface ConnectionFacts {
    /** DATABASE_URL: the writer. */
    readonly databaseUrl: pulumi.Output<string>;
    /** DATABASE_URL_REPLICA: the closest read replica (the writer where there is none). */
    readonly databaseReplicaUrl: pulumi.Output<string>;
    /** CACHE_URL: Valkey/Redis database 0. */
    readonly cacheUrl: pulumi.Output<string>;
    /** CELERY_BROKER_URL: Valkey/Redis database 1. */
    readonly brokerUrl: pulumi.Output<string>;
    /**
     * STOREFRONT_CACHE_URL: the storefront's shared page cache, Valkey/Redis database 2 of the same
     * server (images/storefront/Dockerfile). The server publishes expiry and eviction events, which
     * the storefront's cache handlers follow.
     */
    readonly pageCacheUrl: pulumi.Output<string>;
    readonly media: MediaStorage;
    /**
     * The server certificates' root CAs, for `sslrootcert` in the database URLs: a ConfigMap in the
     * workloads' namespace whose key `bundle.pem` every Core pod mounts read-only at `mountPath`.
     * Default: none (the in-cluster PostgreSQL speaks no TLS).
     */
    readonly databaseCa?: {
        readonly configMap: pulumi.Resource;
        readonly configMapName: pulumi.Output<string>;
        readonly mountPath: string;
    };
    /**
     * What Core's database-role Job needs to create `saleor_app` (the primary region's writer only):
     * the writer's host and the Secrets Manager secret RDS keeps its master credentials in.
     */
    readonly databaseAdmin?: {
        readonly host: pulumi.Output<string>;
        readonly masterSecretArn: pulumi.Output<string>;
        readonly masterUser: string;
        readonly database: string;
        readonly role: string;
    };
    /** EMAIL_URL of the in-cluster mail catcher, when there is one. */
    readonly smtpUrl?: pulumi.Output<string>;
    /** Resources that must be ready before Core's workloads connect (the database, its readers, the cache). */
    readonly readyAfter: pulumi.Resource[];
    /**
     * What the migration and the database-role Jobs need: the writer and the cache (Celery's broker,
     * which data migrations enqueue to), not the in-region reader, which a first deployment creates
     * from the writer meanwhile. Default: `readyAfter`.
     */
    readonly writerReadyAfter?: pulumi.Resource[];
}
