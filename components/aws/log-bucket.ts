import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { legacyElbLogAccounts } from "../../catalog/elb";
import { partitionOf } from "./arn";
import { denyInsecureTransport, policyDocument, type PolicyStatement } from "./iam";
import { fitName } from "./names";
import { createPrivateBucket } from "./private-bucket";

// Buckets that AWS services write logs into (ALB, S3 server access, CloudFront, WAF, VPC flow
// logs) and the statements that let each service write. One shape for all: private, versioned
// (the pack requires it of every bucket), encrypted, TLS only, expiring what it holds.

export interface LogBucketArgs {
    /**
     * The bucket's name, which S3 requires to be unique in all of AWS: `logBucketName` makes one of
     * the project, stack, purpose and account. WAF accepts only a bucket named `aws-waf-logs-*`.
     */
    readonly bucketName: pulumi.Input<string>;
    /** Days a log object is kept before S3 deletes it. */
    readonly expirationDays: number;
    /**
     * SSE-KMS with this key; SSE-S3 when absent. ALB access logs allow only SSE-S3 (ELB User Guide,
     * "Enable access logs": "The only server-side encryption option that's supported is Amazon
     * S3-managed keys (SSE-S3)"). Default: SSE-S3.
     */
    readonly key?: aws.kms.Key;
    /**
     * Leave ACLs on (object ownership BucketOwnerPreferred): CloudFront's standard (legacy) logging
     * writes through the awslogsdelivery account's ACL grant, which CloudFront adds to the bucket's
     * ACL itself (CloudFront Developer Guide, "Configure standard logging (legacy)": "Your bucket
     * must have access control list (ACL) enabled"). Default: false (BucketOwnerEnforced, ACLs off).
     */
    readonly aclsEnabled?: boolean;
    /** Statements letting the services write, given the bucket's ARN. */
    readonly writers: (bucketArn: pulumi.Output<string>) => PolicyStatement[];
    /** Protect the bucket (production): the logs are the audit trail. */
    readonly protect: boolean;
    /** AWS provider of the bucket's region. Default: the parent's. */
    readonly provider?: pulumi.ProviderResource;
    readonly tags?: Record<string, string>;
}

export interface LogBucket {
    readonly bucket: aws.s3.Bucket;
    /** The bucket's name; resolves once the bucket's policy lets the services write. */
    readonly name: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    /** The bucket policy: a service may only be pointed at the bucket once it exists. */
    readonly policy: aws.s3.BucketPolicy;
}

/** A globally unique, stack-scoped bucket name: `<prefix>saleor-<stack>-<purpose>-<account>`, at most 63 characters. */
export function logBucketName(purpose: string, accountId: pulumi.Input<string>, prefix = ""): pulumi.Output<string> {
    return pulumi
        .output(accountId)
        .apply(
            (account) =>
                fitName(`${prefix}${pulumi.getProject()}-${pulumi.getStack()}-${purpose}`.toLowerCase(), 63 - account.length - 1) +
                `-${account}`,
        );
}

export function createLogBucket(name: string, args: LogBucketArgs, parent: pulumi.Resource): LogBucket {
    const opts: pulumi.CustomResourceOptions = { parent, ...(args.provider ? { provider: args.provider } : {}) };
    const { bucket, ownership, publicAccess } = createPrivateBucket(
        name,
        {
            bucketName: args.bucketName,
            protect: args.protect,
            key: args.key,
            aclsEnabled: args.aclsEnabled,
            // Services never overwrite a log object; versioning only keeps a deleted one for a day.
            lifecycleRule: [
                {
                    id: "expire-logs",
                    status: "Enabled",
                    filter: {},
                    expiration: { days: args.expirationDays },
                    noncurrentVersionExpiration: { noncurrentDays: 1 },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                },
                {
                    // Expiring a log in a versioned bucket leaves a delete marker; once its one noncurrent
                    // version is gone the marker is all that is left, and S3 removes it with this rule.
                    // A rule of its own: expired_object_delete_marker "Conflicts with date and days"
                    // (terraform-provider-aws, r/s3_bucket_lifecycle_configuration, expiration).
                    id: "remove-expired-delete-markers",
                    status: "Enabled",
                    filter: {},
                    expiration: { expiredObjectDeleteMarker: true },
                },
            ],
            provider: args.provider,
            tags: args.tags,
        },
        parent,
    );
    const target = { bucket: bucket.bucket };
    const policy = new aws.s3.BucketPolicy(
        `${name}-policy`,
        { ...target, policy: policyDocument([denyInsecureTransport(bucket.arn), ...args.writers(bucket.arn)]) },
        // S3 rejects policy writes while it is still applying the public access block.
        { ...opts, dependsOn: [publicAccess, ownership] },
    );
    // Whoever is pointed at the bucket waits for the policy that lets the service write.
    const name_ = pulumi.all([bucket.bucket, policy.id]).apply(([n]) => n);
    const arn = pulumi.all([bucket.arn, policy.id]).apply(([a]) => a);
    return { bucket, name: name_, arn, policy };
}

/**
 * ALB access logs under `<prefix>/AWSLogs/<account>/`: the region's ELB account where AWS names one
 * (catalog/elb.ts), the log delivery service principal elsewhere (ELB User Guide, "Enable access
 * logs for your Application Load Balancer", step 2).
 */
export function elbLogWriters(region: string, prefix: string, accountId: pulumi.Input<string>) {
    return (bucketArn: pulumi.Output<string>): PolicyStatement[] => {
        const legacy = legacyElbLogAccounts[region];
        return [
            {
                Sid: "AllowElbAccessLogs",
                Effect: "Allow",
                Principal: legacy
                    ? { AWS: `arn:${partitionOf(region)}:iam::${legacy}:root` }
                    : { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: pulumi.interpolate`${bucketArn}/${prefix}/AWSLogs/${accountId}/*`,
            },
        ];
    };
}

/**
 * S3 server access logs under `<prefix>/`, from this account's buckets only (Amazon S3 User Guide,
 * "Permissions for log delivery": the logging.s3.amazonaws.com principal, with aws:SourceAccount).
 */
export function s3AccessLogWriters(prefix: string, accountId: pulumi.Input<string>) {
    return (bucketArn: pulumi.Output<string>): PolicyStatement[] => [
        {
            Sid: "AllowS3ServerAccessLogs",
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: pulumi.interpolate`${bucketArn}/${prefix}/*`,
            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
        },
    ];
}

/**
 * Logs AWS delivers through CloudWatch Logs' vended delivery (WAF and VPC flow logs to S3): the
 * delivery.logs.amazonaws.com principal writes objects it hands to the bucket owner, and reads the
 * bucket's ACL to check that (AWS WAF Developer Guide, "Sending web ACL traffic logs to an Amazon
 * S3 bucket"; Amazon VPC User Guide, "Flow logs: permissions for S3"), for this account only.
 */
export function deliveredLogWriters(accountId: pulumi.Input<string>) {
    return (bucketArn: pulumi.Output<string>): PolicyStatement[] => {
        const fromThisAccount = { "aws:SourceAccount": accountId };
        return [
            {
                Sid: "AllowLogDeliveryWrite",
                Effect: "Allow",
                Principal: { Service: "delivery.logs.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: pulumi.interpolate`${bucketArn}/*`,
                Condition: { StringEquals: { ...fromThisAccount, "s3:x-amz-acl": "bucket-owner-full-control" } },
            },
            {
                Sid: "AllowLogDeliveryAclCheck",
                Effect: "Allow",
                Principal: { Service: "delivery.logs.amazonaws.com" },
                Action: ["s3:GetBucketAcl", "s3:ListBucket"],
                Resource: bucketArn,
                Condition: { StringEquals: fromThisAccount },
            },
        ];
    };
}

/**
 * The key-policy statement letting log delivery encrypt into a bucket with this key (Amazon VPC
 * User Guide, "Required key policy for use with SSE-KMS"; the AWS WAF Developer Guide asks the same).
 */
export function deliveredLogsMayUseKey(accountId: pulumi.Input<string>): PolicyStatement {
    return {
        Sid: "AllowLogDeliveryEncrypt",
        Effect: "Allow",
        Principal: { Service: "delivery.logs.amazonaws.com" },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        // In a key policy, "*" is the key itself.
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    };
}
