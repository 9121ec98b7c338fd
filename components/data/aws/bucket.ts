import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport, policyDocument, type PolicyStatement } from "../../aws/iam";
import { createPrivateBucket } from "../../aws/private-bucket";

export interface ProtectedBucketArgs {
    /** Region-local key for SSE-KMS. */
    readonly key: aws.kms.Key;
    /** Days a replaced or deleted object's old version is kept. */
    readonly noncurrentVersionDays: number;
    /** Browser origins allowed to GET media; no CORS configuration when empty. */
    readonly corsOrigins: string[];
    readonly protect: boolean;
    /**
     * Someone else writes the bucket's policy (a bucket has exactly one): the bucket then gets no
     * policy here, and whoever writes it must include `policyStatements`. Default: false.
     */
    readonly policyWrittenElsewhere?: boolean;
    /** Where S3 writes the bucket's server access logs (a RegionalLogs bucket of the same region). Default: none. */
    readonly accessLogs?: { readonly bucket: pulumi.Input<string>; readonly prefix: string };
    readonly tags?: Record<string, string>;
}

export interface ProtectedBucket {
    readonly bucket: aws.s3.Bucket;
    /** Replication may only be configured once versioning is on, so callers order on this. */
    readonly versioning: aws.s3.BucketVersioning;
    /** What the bucket's policy must say, whoever writes it: refuse every request without TLS. */
    readonly policyStatements: PolicyStatement[];
    /** S3 rejects policy writes while it is still applying the public access block: order on this. */
    readonly publicAccess: aws.s3.BucketPublicAccessBlock;
}

/**
 * A private, KMS-encrypted, versioned bucket reachable only over TLS. The primary's media bucket
 * and the secondary's replica are both built here, so a promoted replica is as locked down as the
 * bucket it copies.
 */
export function createProtectedBucket(name: string, args: ProtectedBucketArgs, parent: pulumi.Resource): ProtectedBucket {
    const opts: pulumi.CustomResourceOptions = { parent };
    // Auto-named (logical name + random suffix): unique per stack and region, and S3 names are global.
    const { bucket, publicAccess, versioning } = createPrivateBucket(
        name,
        {
            protect: args.protect,
            key: args.key,
            lifecycleRule: {
                id: "expire-old-versions",
                status: "Enabled",
                filter: {},
                noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
                abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
            },
            tags: args.tags,
        },
        parent,
    );
    const target = { bucket: bucket.bucket };
    if (args.corsOrigins.length > 0) {
        new aws.s3.BucketCorsConfiguration(
            `${name}-cors`,
            {
                ...target,
                corsRules: [{ allowedMethods: ["GET", "HEAD"], allowedOrigins: args.corsOrigins, maxAgeSeconds: 3600 }],
            },
            opts,
        );
    }
    if (args.accessLogs) {
        // Every request to the bucket, whoever made it, under `<prefix>/<bucket>/` partitioned by the
        // day of the request (aws.s3.BucketLogging targetObjectKeyFormat.partitionedPrefix): S3 server
        // access logs record what CloudTrail's management events do not, object reads and writes.
        new aws.s3.BucketLogging(
            `${name}-access-logs`,
            {
                ...target,
                targetBucket: args.accessLogs.bucket,
                targetPrefix: pulumi.interpolate`${args.accessLogs.prefix}/${bucket.bucket}/`,
                targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: "EventTime" } },
            },
            opts,
        );
    }
    const policyStatements = [denyInsecureTransport(bucket.arn)];
    if (!args.policyWrittenElsewhere) {
        new aws.s3.BucketPolicy(
            bucketPolicyName(name),
            {
                ...target,
                policy: policyDocument(policyStatements),
                // S3 rejects policy writes while it is still applying the public access block.
            },
            { parent, dependsOn: [publicAccess] },
        );
    }
    return { bucket, versioning, policyStatements, publicAccess };
}

/** Logical name of the policy this module writes for bucket `name`; a policy written elsewhere aliases it. */
export function bucketPolicyName(name: string): string {
    return `${name}-tls-only`;
}
