import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountAdministersKey, createDataKey } from "../aws/kms";
import { policyDocument } from "../aws/iam";
import {
    createLogBucket,
    deliveredLogWriters,
    deliveredLogsMayUseKey,
    elbLogWriters,
    logBucketName,
    s3AccessLogWriters,
} from "../aws/log-bucket";

export interface RegionalLogsArgs {
    /** Region of the buckets; must be the region of the AWS provider given in options. */
    readonly region: string;
    /** Days every log is kept. Default: 90. */
    readonly expirationDays?: number;
    /** Protect the buckets and the key from deletion (production). Default: false. */
    readonly protect?: boolean;
    readonly tags?: Record<string, string>;
}

/**
 * The S3 request metrics of one delivered log: PutRequests in namespace AWS/S3 with dimensions
 * BucketName and FilterId (the metrics configuration's id), counting the PUTs under the log's prefix
 * (Amazon S3 User Guide, "Metrics and dimensions", request metrics; published only for a bucket with
 * a metrics configuration, r/s3_bucket_metric).
 */
export interface LogDeliveryMetric {
    /** The log, also the metrics configuration's id: `vpc-flow-logs`, `waf-logs`, `alb-access-logs`. */
    readonly log: string;
    /** What a reader calls it. */
    readonly title: string;
    readonly bucket: pulumi.Output<string>;
    readonly filterId: pulumi.Output<string>;
}

/** Where one kind of log goes: a bucket and a key prefix in it. */
export interface LogTarget {
    /** The bucket's name; resolves once the bucket's policy lets the service write. */
    readonly bucket: pulumi.Output<string>;
    readonly prefix: string;
}

/**
 * Where a region's AWS services write their logs, in two buckets of the region (both S3-delivered
 * services write only into a bucket of their own region):
 *
 * - the access-log bucket, SSE-S3 because ALB access logs accept nothing else: ALB access logs
 *   (`alb/`) and S3 server access logs of the data tier's buckets (`s3/`);
 * - the delivered-log bucket `aws-waf-logs-*` (WAF takes no other name), SSE-KMS with a key of its
 *   own: WAF logs of the regional web ACL and the VPC's flow logs (`vpc-flow-logs/`).
 *
 * Names carry the project, stack, region and account, so two stacks share an account and S3's
 * global namespace without a collision.
 */
export class RegionalLogs extends pulumi.ComponentResource {
    /** ALB access logs: the `alb.ingress.kubernetes.io/load-balancer-attributes` annotation names them. */
    public readonly albAccessLogs: LogTarget;
    /** S3 server access logs of the region's buckets. */
    public readonly s3AccessLogs: LogTarget;
    /** ARN of the `aws-waf-logs-*` bucket: the regional web ACL's log destination. */
    public readonly wafLogDestinationArn: pulumi.Output<string>;
    /** S3 ARN with prefix for `aws.ec2.FlowLog.logDestination`. */
    public readonly flowLogDestinationArn: pulumi.Output<string>;
    public readonly key: aws.kms.Key;
    /**
     * PUT counts of the flow, WAF and ALB logs, each under its own prefix, for the alarms that page
     * when one stops arriving. S3 server access logs are left out: S3 delivers them on a best-effort
     * basis, hours late at times (Amazon S3 User Guide, "Best effort server log delivery").
     */
    public readonly deliveryMetrics: LogDeliveryMetric[];

    constructor(name: string, args: RegionalLogsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:RegionalLogs", name, {}, opts);
        const protect = args.protect ?? false;
        const expirationDays = args.expirationDays ?? 90;
        if (!(Number.isInteger(expirationDays) && expirationDays > 0))
            throw new Error(`RegionalLogs ${name}: expirationDays ${expirationDays} must be a whole number of days above 0`);
        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

        const access = createLogBucket(
            `${name}-access`,
            {
                bucketName: logBucketName(`${args.region}-access-logs`, accountId),
                expirationDays,
                writers: (arn) => [...elbLogWriters(args.region, "alb", accountId)(arn), ...s3AccessLogWriters("s3", accountId)(arn)],
                protect,
                tags: args.tags,
            },
            this,
        );

        this.key = createDataKey(
            `${name}-key`,
            { description: `Saleor WAF and VPC flow logs (${args.region})`, protect, tags: args.tags },
            this,
        );
        const keyPolicy = new aws.kms.KeyPolicy(
            `${name}-key-policy`,
            { keyId: this.key.keyId, policy: policyDocument([accountAdministersKey(this.key.arn), deliveredLogsMayUseKey(accountId)]) },
            { parent: this },
        );
        const delivered = createLogBucket(
            `${name}-delivered`,
            {
                bucketName: logBucketName(args.region, accountId, "aws-waf-logs-"),
                expirationDays,
                key: this.key,
                writers: deliveredLogWriters(accountId),
                protect,
                tags: args.tags,
            },
            this,
        );

        // The delivered logs also wait for the key policy that lets the service encrypt.
        const withKey = (value: pulumi.Output<string>) => pulumi.all([value, keyPolicy.id]).apply(([v]) => v);
        this.albAccessLogs = { bucket: access.name, prefix: "alb" };
        this.s3AccessLogs = { bucket: access.name, prefix: "s3" };
        this.wafLogDestinationArn = withKey(delivered.arn);
        this.flowLogDestinationArn = withKey(pulumi.interpolate`${delivered.arn}/vpc-flow-logs/`);

        // Where each service puts its objects (docs/operations.md, "Logs"): ALB access logs under
        // `alb/AWSLogs/...`, flow logs under `vpc-flow-logs/AWSLogs/...`, WAF logs under `AWSLogs/...` at
        // the root of the delivered-log bucket (WAF takes no prefix).
        const metric = (log: string, title: string, bucket: aws.s3.Bucket, prefix: string): LogDeliveryMetric => {
            const m = new aws.s3.BucketMetric(`${name}-${log}`, { bucket: bucket.bucket, name: log, filter: { prefix } }, { parent: this });
            return { log, title, bucket: m.bucket, filterId: m.name };
        };
        this.deliveryMetrics = [
            metric("vpc-flow-logs", "VPC flow logs", delivered.bucket, "vpc-flow-logs/"),
            metric("waf-logs", "WAF logs", delivered.bucket, "AWSLogs/"),
            metric("alb-access-logs", "ALB access logs", access.bucket, "alb/"),
        ];

        this.registerOutputs({
            albAccessLogsBucket: this.albAccessLogs.bucket,
            wafLogDestinationArn: this.wafLogDestinationArn,
            flowLogDestinationArn: this.flowLogDestinationArn,
        });
    }
}
