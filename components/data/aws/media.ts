import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountAdministersKey, createDataKey } from "../../aws/kms";
import type { AwsDataArgs, MediaCdnOrigin, MediaStorage } from "../types";
import { bucketPolicyName, createProtectedBucket } from "./bucket";
import { createBucketReplication } from "./replication";
import type { MediaAccess } from "./workload-identity";

/** Media storage of one region's data tier. */
export interface Media {
    /** Where Saleor stores media: the primary's bucket, from every region. */
    readonly storage: Omit<Extract<MediaStorage, { kind: "s3" }>, "privateBucket">;
    /** What the workload role must reach: the bucket Core writes to and its key. */
    readonly access: MediaAccess;
    /** This region's bucket: written by every region while this one is primary, a replica otherwise. */
    readonly bucket: aws.s3.Bucket;
    readonly versioning: aws.s3.BucketVersioning;
    /** The primary's bucket copied into this one (a secondary with `media.replicate`). */
    readonly replication?: aws.s3.BucketReplicationConfig;
    /** The key of this region's bucket. */
    readonly key: aws.kms.Key;
    /** This region's bucket as a CDN origin, its policies left to the CDN (media.cdn). */
    readonly cdnOrigin?: MediaCdnOrigin;
}

/**
 * Media has one writer, like the database: every region's Core writes to the primary's bucket, so
 * a file uploaded anywhere is visible everywhere at once. Every region has a bucket of its own and
 * the role only decides which one is written: with `media.replicate` a secondary's bucket is a
 * replica of the primary's, and after a failover (roles swapped in config) the same two buckets
 * serve with the replication reversed; no bucket is created or deleted by it.
 */
export function createMedia(name: string, args: AwsDataArgs, parent: pulumi.Resource): Media {
    const key = createDataKey(
        `${name}-media`,
        { description: `Saleor media bucket (${args.region})`, protect: args.protect, tags: args.tags },
        parent,
    );
    const cdn = args.media.cdn === true;
    const bucketName = `${name}-media`;
    const { bucket, versioning, policyStatements, publicAccess } = createProtectedBucket(
        bucketName,
        {
            key,
            noncurrentVersionDays: args.media.noncurrentVersionDays,
            // The same CORS rules in every region, so a replica can serve browsers as soon as it is promoted.
            corsOrigins: args.media.corsOrigins,
            protect: args.protect,
            accessLogs: args.accessLogs,
            policyWrittenElsewhere: cdn,
            tags: args.tags,
        },
        parent,
    );
    const cdnOrigin: MediaCdnOrigin | undefined = cdn
        ? {
              region: args.region,
              provider: parent.getProvider("aws::"),
              bucketName: bucket.bucket,
              bucketArn: bucket.arn,
              bucketRegionalDomainName: bucket.bucketRegionalDomainName,
              bucketPolicyStatements: policyStatements,
              bucketPolicyDependsOn: [publicAccess],
              bucketPolicyAliases: [{ name: bucketPolicyName(bucketName), parent }],
              key: { id: key.keyId, arn: key.arn, policyStatements: [accountAdministersKey(key.arn)] },
          }
        : undefined;
    const own = { bucket, versioning, key, cdnOrigin };

    if (args.role === "primary") {
        return {
            ...own,
            storage: { kind: "s3", bucket: bucket.bucket, region: args.region },
            access: { bucketArn: bucket.arn, keyArn: key.arn },
        };
    }

    const primary = args.primary!;
    const media: Media = {
        ...own,
        storage: { kind: "s3", bucket: primary.mediaBucketName, region: primary.region },
        access: { bucketArn: primary.mediaBucketArn, keyArn: primary.mediaKeyArn },
    };
    if (!args.media.replicate) {
        return media;
    }
    const { configuration } = createBucketReplication(
        `${name}-media-replication`,
        {
            source: {
                bucketName: primary.mediaBucketName,
                bucketArn: primary.mediaBucketArn,
                keyArn: primary.mediaKeyArn,
                versioning: primary.mediaVersioning,
            },
            destination: { bucketName: bucket.bucket, bucketArn: bucket.arn, keyArn: key.arn, versioning },
            sourceProvider: primary.provider!,
            tags: args.tags,
            permissionsBoundary: args.permissionsBoundaryArn,
        },
        parent,
    );
    return { ...media, replication: configuration };
}
