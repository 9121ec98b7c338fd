import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { blockAllPublicAccess, denyInsecureTransport } from "../catalog/s3";

/**
 * The Pulumi state bucket of the account (`pulumi login s3://<bucket>/<env>`, research §9):
 * versioned (every checkpoint can be recovered), encrypted, never public, reachable over TLS only,
 * and protected from deletion. SSE-S3 rather than a KMS key: the secrets inside a checkpoint are
 * already encrypted with the environment's own KMS key (secrets.ts), and a third key would need a
 * policy admitting both environments' roles.
 */
export function createStateBucket(bucketName: pulumi.Input<string>, parent: pulumi.Resource, provider: aws.Provider): aws.s3.Bucket {
    const opts = { parent, provider };
    const bucket = new aws.s3.Bucket("state", { bucket: bucketName, forceDestroy: false }, { ...opts, protect: true });
    const target = { bucket: bucket.bucket };
    // ACLs off: the bucket owner owns every object, so only IAM and the bucket policy grant access.
    new aws.s3.BucketOwnershipControls("state-ownership", { ...target, rule: { objectOwnership: "BucketOwnerEnforced" } }, opts);
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
        "state-public-access",
        {
            ...target,
            ...blockAllPublicAccess,
        },
        opts,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
        "state-encryption",
        {
            ...target,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        },
        opts,
    );
    const versioning = new aws.s3.BucketVersioning("state-versioning", { ...target, versioningConfiguration: { status: "Enabled" } }, opts);
    // Every step of a deployment writes a checkpoint: old versions go after 90 days.
    new aws.s3.BucketLifecycleConfiguration(
        "state-lifecycle",
        {
            ...target,
            rules: [
                {
                    id: "expire-old-checkpoints",
                    status: "Enabled",
                    filter: {},
                    noncurrentVersionExpiration: { noncurrentDays: 90 },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                },
            ],
        },
        { ...opts, dependsOn: [versioning] },
    );
    new aws.s3.BucketPolicy(
        "state-tls-only",
        {
            ...target,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [denyInsecureTransport(bucket.arn, pulumi.interpolate`${bucket.arn}/*`)],
            }),
            // S3 rejects policy writes while it is still applying the public access block.
        },
        { ...opts, dependsOn: [publicAccess] },
    );
    return bucket;
}
