import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createDataKey } from "../../aws/kms";
import type { AwsDataArgs, ConnectionFacts, MediaCdnOrigin, PrimaryDataFacts } from "../types";
import { createWriterBackups } from "./backup";
import { createRestoreTesting } from "./restore-testing";
import type { RestoreTestMetric } from "./restore-validation";
import { createCache } from "./cache";
import { createMedia } from "./media";
import { appRole, createDatabase, databaseName, masterUser, postgresMajor, rdsCaMountPath } from "./postgres";
import { createRdsCaBundle } from "./rds-ca";
import { createPrivateStorage } from "./private-storage";
import { createWorkloadIdentity } from "./workload-identity";

/** What the AWS flavour builds and hands back to DataTier. */
export interface AwsDataResources {
    readonly connection: ConnectionFacts;
    /** The PostgreSQL writer; the primary region only. */
    readonly writer?: aws.rds.Instance;
    /** A secondary's cross-region replica of the writer, promoted on failover. */
    readonly standby?: aws.rds.Instance;
    /** The in-region read replica beside the writer (primary with `inRegionReplica`). */
    readonly reader?: aws.rds.Instance;
    /** Valkey: cache and Celery broker. */
    readonly cache: aws.elasticache.ReplicationGroup;
    /** This region's media bucket: the one every region writes to in the primary, a replica (or idle) in a secondary. */
    readonly mediaBucket: aws.s3.Bucket;
    /** This region's bucket for Saleor's private files (webhook payloads): written while this region is primary. */
    readonly privateBucket: aws.s3.Bucket;
    /** The role Core's pods assume through Pod Identity. */
    readonly workloadRole: aws.iam.Role;
    /** Region-local keys: `data` for RDS, Performance Insights and ElastiCache; `media` for this region's bucket. */
    readonly keys: { readonly data: aws.kms.Key; readonly media: aws.kms.Key; readonly privateFiles: aws.kms.Key };
    /** The primary region's facts, to pass as the secondary's `args.primary`; the primary only. */
    readonly primaryFacts?: PrimaryDataFacts;
    /** This region's media bucket as a CDN origin, for MediaCdn (with `media.cdn`). */
    readonly mediaCdnOrigin?: MediaCdnOrigin;
    /** The daily count of validated restore tests (where this region runs them: the writer's, with backups). */
    readonly restoreTests?: RestoreTestMetric;
}

/** RDS PostgreSQL, ElastiCache Valkey, S3 media and the workload's role in one region. */
export function createAwsData(name: string, args: AwsDataArgs, parent: pulumi.ComponentResource): AwsDataResources {
    const problems = validate(args);
    if (problems.length > 0) {
        throw new Error(`DataTier ${name}: ${problems.join("; ")}`);
    }

    const dataKey = createDataKey(
        `${name}-data`,
        {
            description: `Saleor database and cache (${args.region})`,
            protect: args.protect,
            tags: args.tags,
        },
        parent,
    );
    const database = createDatabase(name, args, dataKey, parent);
    const caBundle = createRdsCaBundle(name, args.workloadIdentity.namespace, [args.region, ...(args.peerRegions ?? [])], parent);
    const cache = createCache(name, args, dataKey, parent);
    const media = createMedia(name, args, parent);
    const privateFiles = createPrivateStorage(name, args, parent);
    const workload = createWorkloadIdentity(
        name,
        {
            workload: args.workloadIdentity,
            media: media.access,
            privateFiles: privateFiles.access,
            tags: args.tags,
            permissionsBoundary: args.permissionsBoundaryArn,
        },
        parent,
    );
    let restoreTests: ReturnType<typeof createRestoreTesting> | undefined;
    if (database.writer && args.backup) {
        const backups = createWriterBackups(
            name,
            {
                writer: database.writer,
                // The buckets the writer's rows point to (media, and the webhook payloads of
                // EventPayload rows) are backed up on the same schedule.
                buckets: [
                    { arn: media.bucket.arn, versioning: media.versioning },
                    { arn: privateFiles.bucket.arn, versioning: privateFiles.versioning },
                ],
                vaultName: args.backup.vaultName,
                intervalHours: args.postgres.snapshotIntervalHours ?? 6,
                retentionDays: args.postgres.backupRetentionDays,
                copyToVaultArns: args.backup.copyToVaultArns,
                tags: args.tags,
                permissionsBoundary: args.permissionsBoundaryArn,
            },
            parent,
        );
        // Weekly restores of what the plan backs up, as the production guide asks.
        restoreTests = createRestoreTesting(
            name,
            {
                writerArn: database.writer.arn,
                mediaBucketArn: media.bucket.arn,
                roleArn: backups.role.arn,
                network: { vpcId: args.network.vpcId, subnetIds: args.network.privateSubnetIds },
                tags: args.tags,
                permissionsBoundary: args.permissionsBoundaryArn,
            },
            parent,
        );
    }

    const connection: ConnectionFacts = {
        databaseUrl: database.writerUrl,
        databaseReplicaUrl: database.replicaUrl,
        cacheUrl: cache.cacheUrl,
        brokerUrl: cache.brokerUrl,
        pageCacheUrl: cache.pageCacheUrl,
        media: { ...media.storage, privateBucket: privateFiles.bucketName },
        databaseCa: { configMap: caBundle, configMapName: caBundle.metadata.name, mountPath: rdsCaMountPath },
        databaseAdmin:
            database.writer && database.masterSecretArn
                ? {
                      host: database.writer.address,
                      masterSecretArn: database.masterSecretArn,
                      masterUser,
                      database: databaseName,
                      role: appRole,
                  }
                : undefined,
        readyAfter: [database.writer, database.reader, database.standby, cache.group].filter(
            (r): r is NonNullable<typeof r> => r !== undefined,
        ),
        writerReadyAfter: database.writer ? [database.writer, cache.group] : undefined,
    };

    const primaryFacts: PrimaryDataFacts | undefined = database.writer
        ? {
              region: args.region,
              writerArn: database.writer.arn,
              writerUrl: database.writerUrl,
              mediaBucketArn: media.bucket.arn,
              mediaBucketName: media.bucket.bucket,
              mediaKeyArn: media.key.arn,
              mediaVersioning: media.versioning,
              privateBucketName: privateFiles.bucket.bucket,
              privateBucketArn: privateFiles.bucket.arn,
              privateKeyArn: privateFiles.key.arn,
              provider: parent.getProvider("aws::"),
          }
        : undefined;

    return {
        connection,
        writer: database.writer,
        standby: database.standby,
        reader: database.reader,
        cache: cache.group,
        mediaBucket: media.bucket,
        privateBucket: privateFiles.bucket,
        workloadRole: workload.role,
        keys: { data: dataKey, media: media.key, privateFiles: privateFiles.key },
        primaryFacts,
        mediaCdnOrigin: media.cdnOrigin,
        restoreTests: restoreTests?.validation.metric,
    };
}

/** Every problem with the arguments, so one run reports them all. */
function validate(args: AwsDataArgs): string[] {
    const problems: string[] = [];
    if (postgresMajor(args.postgres.engineVersion) === undefined) {
        problems.push(`postgres.engineVersion "${args.postgres.engineVersion}" must be PostgreSQL 15 or newer, as "16" or "16.4"`);
    }
    const interval = args.postgres.snapshotIntervalHours;
    if (interval !== undefined && !(Number.isInteger(interval) && interval > 0 && 24 % interval === 0)) {
        problems.push(`postgres.snapshotIntervalHours: ${interval} does not divide a day into equal parts; use 1, 2, 3, 4, 6, 8, 12 or 24`);
    }
    if (args.cache.multiAz && args.cache.nodes < 2) {
        problems.push(`cache.nodes: Multi-AZ failover needs at least 2 nodes (got ${args.cache.nodes})`);
    }
    if (args.role === "secondary") {
        if (!args.primary) {
            problems.push(`role "secondary" needs args.primary (the primary DataTier's aws.primaryFacts)`);
        } else {
            if (args.media.replicate && !args.primary.provider) {
                problems.push(
                    "media.replicate needs args.primary.provider (the primary region's AWS provider): replication is configured on the primary's bucket",
                );
            }
            if (args.primary.region === args.region) {
                problems.push(`a secondary must be in another region than its primary (both are ${args.region})`);
            }
        }
    }
    return problems;
}
