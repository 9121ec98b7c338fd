import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { createDataKey } from "../../aws/kms";
import type { AwsDataArgs } from "../types";
import { createProtectedBucket } from "./bucket";
import type { MediaAccess } from "./workload-identity";

/** Saleor's private file storage in one region's data tier. */
export interface PrivateStorage {
    /** The bucket Core writes private files to: the primary's, from every region (like media). */
    readonly bucketName: pulumi.Output<string>;
    /** What the workload role must reach: that bucket and its key. */
    readonly access: MediaAccess;
    /** This region's own bucket: written while this region is primary, idle otherwise. */
    readonly bucket: aws.s3.Bucket;
    readonly versioning: aws.s3.BucketVersioning;
    readonly key: aws.kms.Key;
}

/**
 * Saleor's private storage (AWS_MEDIA_PRIVATE_BUCKET_NAME, saleor/settings.py 3.23.5 lines 522 and
 * 582-584: without it PRIVATE_FILE_STORAGE is a FileSystemStorage under MEDIA_ROOT). Every webhook
 * delivery writes its payload there (EventPayload.payload_file, saleor/core/models.py) and the
 * Celery worker reads it back, so the API and the worker must share it: on a read-only root file
 * system, with API and worker in different pods, only a bucket does.
 *
 * A bucket of its own, never a CDN origin: S3MediaPrivateStorage sets no custom domain
 * (saleor/core/storages.py), and nothing but Core's role may read it. Encrypted with a key of its
 * own (the media key's policy admits CloudFront where there is a CDN), versioned, public access
 * blocked and TLS only, like the media bucket (createProtectedBucket). No CORS: browsers never
 * fetch from it.
 *
 * One writer, like media and the database: every region's Core writes to the primary's bucket, so
 * a payload stored by one region's API is readable by any region's worker. Every region has a
 * bucket of its own, and a failover (roles swapped) only changes which one is written; none is
 * created or deleted. Payloads are transient: Saleor deletes a payload's file once no recent
 * delivery needs it (delete_event_payloads_task → delete_files_from_private_storage_task,
 * saleor/core/tasks.py), leaving a noncurrent version that the lifecycle rule expires. So the
 * secondary's bucket is not a replica: the payloads of deliveries still pending at a failover stay
 * in the old primary's bucket, and those deliveries fail.
 */
export function createPrivateStorage(name: string, args: AwsDataArgs, parent: pulumi.Resource): PrivateStorage {
    const key = createDataKey(
        `${name}-private`,
        { description: `Saleor private files: webhook payloads (${args.region})`, protect: args.protect, tags: args.tags },
        parent,
    );
    const { bucket, versioning } = createProtectedBucket(
        `${name}-private`,
        {
            key,
            noncurrentVersionDays: args.media.noncurrentVersionDays,
            corsOrigins: [],
            protect: args.protect,
            accessLogs: args.accessLogs,
            tags: args.tags,
        },
        parent,
    );
    if (args.role === "primary") {
        return { bucket, versioning, key, bucketName: bucket.bucket, access: { bucketArn: bucket.arn, keyArn: key.arn } };
    }
    const primary = args.primary!;
    return {
        bucket,
        versioning,
        key,
        bucketName: primary.privateBucketName,
        access: { bucketArn: primary.privateBucketArn, keyArn: primary.privateKeyArn },
    };
}
