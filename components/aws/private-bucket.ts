import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { blockAllPublicAccess } from "../../catalog/s3";

// The shape every S3 bucket of the project starts from: private (all four public-access blocks on),
// owner-enforced or owner-preferred objects, encrypted by default, versioned (the policy pack
// requires it of every bucket), with its lifecycle rules. Media, private storage and log buckets
// add their own policy, CORS and logging on top.

export interface PrivateBucketArgs {
    /** The bucket's name; absent, Pulumi auto-names it (logical name + random suffix, unique per stack and region). */
    readonly bucketName?: pulumi.Input<string>;
    /** Protect the bucket from deletion and replacement; without it `forceDestroy` lets a stack be torn down. */
    readonly protect: boolean;
    /** SSE-KMS with this key and an S3 bucket key; SSE-S3 when absent. */
    readonly key?: aws.kms.Key;
    /**
     * Object ownership BucketOwnerPreferred, which keeps ACLs working (a service that delivers through
     * an ACL grant needs it). Default: false, BucketOwnerEnforced: ACLs off, only IAM and the bucket
     * policy grant access.
     */
    readonly aclsEnabled?: boolean;
    /** The bucket's lifecycle rule, or rules (applied once versioning is on). */
    readonly lifecycleRule: aws.types.input.s3.BucketLifecycleConfigurationRule | aws.types.input.s3.BucketLifecycleConfigurationRule[];
    /** AWS provider of the bucket's region. Default: the parent's. */
    readonly provider?: pulumi.ProviderResource;
    readonly tags?: Record<string, string>;
}

export interface PrivateBucket {
    readonly bucket: aws.s3.Bucket;
    /** S3 rejects policy writes while it is still applying these two: order a bucket policy on them. */
    readonly ownership: aws.s3.BucketOwnershipControls;
    readonly publicAccess: aws.s3.BucketPublicAccessBlock;
    /** Replication and lifecycle need versioning on first: order on this. */
    readonly versioning: aws.s3.BucketVersioning;
}

export function createPrivateBucket(name: string, args: PrivateBucketArgs, parent: pulumi.Resource): PrivateBucket {
    const opts: pulumi.CustomResourceOptions = { parent, ...(args.provider ? { provider: args.provider } : {}) };
    const bucket = new aws.s3.Bucket(
        name,
        { ...(args.bucketName !== undefined ? { bucket: args.bucketName } : {}), forceDestroy: !args.protect, tags: args.tags },
        { ...opts, protect: args.protect },
    );
    const target = { bucket: bucket.bucket };
    const ownership = new aws.s3.BucketOwnershipControls(
        `${name}-ownership`,
        { ...target, rule: { objectOwnership: args.aclsEnabled ? "BucketOwnerPreferred" : "BucketOwnerEnforced" } },
        opts,
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, { ...target, ...blockAllPublicAccess }, opts);
    new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-encryption`,
        {
            ...target,
            rules: [
                args.key
                    ? {
                          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.key.arn },
                          // One data key per bucket instead of one KMS call per object.
                          bucketKeyEnabled: true,
                      }
                    : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
            ],
        },
        opts,
    );
    const versioning = new aws.s3.BucketVersioning(
        `${name}-versioning`,
        { ...target, versioningConfiguration: { status: "Enabled" } },
        opts,
    );
    new aws.s3.BucketLifecycleConfiguration(
        `${name}-lifecycle`,
        { ...target, rules: [args.lifecycleRule].flat() },
        { ...opts, dependsOn: [versioning] },
    );
    return { bucket, ownership, publicAccess, versioning };
}
