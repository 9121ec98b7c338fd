import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsDataArgs, MediaCdnOrigin, MediaStorage } from "../index";
import { bucketPolicyName, createProtectedBucket } from "./bucket";
import { accountAdministersKey, createDataKey } from "./kms";
import { createBucketReplication } from "./replication";
import type { MediaAccess } from "./workload-identity";

/** Media storage of one region's data tier. */
export interface Media {
    /** Where Saleor stores media: the primary's bucket, from every region. */
    readonly storage: Extract<MediaStorage, { kind: "s3" }>;
    /** What the workload role must reach: the bucket Core writes to and its key. */
    readonly access: MediaAccess;
    /** The bucket every region writes to; the primary region only. */
    readonly bucket?: aws.s3.Bucket;
    readonly versioning?: aws.s3.BucketVersioning;
    /** The secondary's disaster-recovery copy (media.replicate). */
    readonly replicaBucket?: aws.s3.Bucket;
    readonly replication?: aws.s3.BucketReplicationConfig;
    /** The key of this region's bucket, when it has one. */
    readonly key?: aws.kms.Key;
    /** The primary's bucket as a CDN origin, its policies left to the CDN (media.cdn). */
    readonly cdnOrigin?: MediaCdnOrigin;
}

/**
 * Media has one writer, like the database: every region's Core writes to the primary's bucket, so
 * a file uploaded anywhere is visible everywhere at once. With `media.replicate` the secondary keeps
 * a replica of it as a disaster-recovery copy.
 */
export function createMedia(name: string, args: AwsDataArgs, parent: pulumi.Resource): Media {
    const bucketArgs = (key: aws.kms.Key) => ({
        key,
        noncurrentVersionDays: args.media.noncurrentVersionDays,
        // The replica gets the same CORS rules, so it can serve browsers as soon as it is promoted.
        corsOrigins: args.media.corsOrigins,
        protect: args.protect,
        tags: args.tags,
    });
    const mediaKey = () => createDataKey(`${name}-media`, { description: `Saleor media bucket (${args.region})`, protect: args.protect, tags: args.tags }, parent);

    if (args.role === "primary") {
        const key = mediaKey();
        const cdn = args.media.cdn === true;
        const bucketName = `${name}-media`;
        const { bucket, versioning, policyStatements, publicAccess } = createProtectedBucket(bucketName, { ...bucketArgs(key), policyWrittenElsewhere: cdn }, parent);
        return {
            storage: { kind: "s3", bucket: bucket.bucket, region: args.region },
            access: { bucketArn: bucket.arn, keyArn: key.arn },
            bucket,
            versioning,
            key,
            cdnOrigin: cdn ? {
                bucketName: bucket.bucket,
                bucketArn: bucket.arn,
                bucketRegionalDomainName: bucket.bucketRegionalDomainName,
                bucketPolicyStatements: policyStatements,
                bucketPolicyDependsOn: [publicAccess],
                bucketPolicyAliases: [{ name: bucketPolicyName(bucketName), parent }],
                key: { id: key.keyId, arn: key.arn, policyStatements: [accountAdministersKey(key.arn)] },
            } : undefined,
        };
    }

    const primary = args.primary!;
    const media: Media = {
        storage: { kind: "s3", bucket: primary.mediaBucketName, region: primary.region },
        access: { bucketArn: primary.mediaBucketArn, keyArn: primary.mediaKeyArn },
    };
    if (!args.media.replicate) {
        return media;
    }
    const key = mediaKey();
    const replica = createProtectedBucket(`${name}-media-replica`, bucketArgs(key), parent);
    const { configuration } = createBucketReplication(`${name}-media-replication`, {
        source: { bucketName: primary.mediaBucketName, bucketArn: primary.mediaBucketArn, keyArn: primary.mediaKeyArn, versioning: primary.mediaVersioning },
        destination: { bucketName: replica.bucket.bucket, bucketArn: replica.bucket.arn, keyArn: key.arn, versioning: replica.versioning },
        sourceProvider: primary.provider!,
        tags: args.tags,
    }, parent);
    return { ...media, replicaBucket: replica.bucket, replication: configuration, key };
}
