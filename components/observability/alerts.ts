import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { partitionOf } from "../aws/arn";
import { policyDocument } from "../aws/iam";
import { fitName } from "../aws/names";

/**
 * Who hears about alarms. One list for the whole stack: index.ts hands the same object to the
 * AlertTopic of every region.
 */
export interface AlertSubscriptions {
    /**
     * Addresses that get every alarm and recovery by email. AWS mails each a confirmation link on
     * the first deployment; nothing is delivered until it is clicked. Default: none.
     */
    readonly email?: string[];
    /**
     * HTTPS endpoints (pager or chat integrations) that get every alarm as an SNS JSON POST. Treated
     * as secrets: such URLs usually carry an integration token. Each endpoint must confirm the SNS
     * subscription itself (PagerDuty's and Opsgenie's CloudWatch integrations do; a Slack incoming
     * webhook cannot: use AWS Chatbot / Amazon Q Developer in chat applications for Slack). The
     * deployment fails after 5 minutes when an endpoint does not confirm. Default: none.
     */
    readonly https?: pulumi.Input<string>[];
}

export interface AlertTopicArgs {
    /** Region of this topic (must match the AWS provider given in options); part of its name. */
    readonly region: string;
    /** The stack's subscribers; the same list for every region. */
    readonly subscriptions: AlertSubscriptions;
    /** Keep the topic's key for 30 days after a deletion is requested (production). Default: false (7 days). */
    readonly protect?: boolean;
    /**
     * Also announce on this topic every AWS Backup job of this region that fails, is aborted or
     * expires, and every copy job that fails (`backupJobFailurePatterns`). Turn it on in every region
     * of a stack with AWS Backup plans: the plan runs in whichever region is primary, so after a
     * failover the failures come from the other region. Default: false (no rules, and neither the
     * topic's policy nor its key admits EventBridge).
     */
    readonly backupJobFailures?: boolean;
    readonly tags?: Record<string, string>;
}

/**
 * The EventBridge rules of one region's AlertTopic that turn AWS Backup's job events into alerts.
 *
 * Events and their fields as documented by AWS (AWS Backup Developer Guide, "Monitoring AWS Backup
 * events using Amazon EventBridge", https://docs.aws.amazon.com/aws-backup/latest/devguide/eventbridge.html,
 * and the EventBridge event reference, https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-backup.html):
 * source `aws.backup`; detail-type `Backup Job State Change` (example events for the states FAILED,
 * COMPLETED, RUNNING, ABORTED, EXPIRED, PENDING, CREATED; `detail.backupJobId`, `detail.resourceArn`,
 * `detail.backupVaultName`, `detail.state`) and `Copy Job State Change` (FAILED, RUNNING, COMPLETED,
 * CREATED; `detail.copyJobId`, `detail.resourceArn`, `detail.sourceBackupVaultArn`,
 * `detail.destinationBackupVaultArn`, `detail.state`). Delivery is best effort, about every 5 minutes.
 * FAILED, ABORTED (the guide's example: "stopped by user") and EXPIRED (its example: not started by
 * `startBy` because a job for the same resource was still running) all leave no new recovery point.
 * A copy job's states are CREATED, RUNNING, COMPLETED, FAILED and PARTIAL (API reference, CopyJob,
 * https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CopyJob.html); PARTIAL concerns
 * composite (parent) jobs, and this plan backs up one RDS instance and one bucket, each its own job.
 *
 * Which region reports a cross-region copy: the guide's example events are all same-region, and it
 * does not say. StartCopyJob names the source vault by name (region-local) and the destination by
 * ARN, so a copy job belongs to the source region, the primary's. Every region with alarms gets
 * both rules, so a copy failure reported in either region reaches that region's topic.
 */
export const backupJobFailurePatterns = {
    "backup-job-failed": {
        source: ["aws.backup"],
        "detail-type": ["Backup Job State Change"],
        detail: { state: ["FAILED", "ABORTED", "EXPIRED"] },
    },
    "backup-copy-failed": {
        source: ["aws.backup"],
        "detail-type": ["Copy Job State Change"],
        detail: { state: ["FAILED"] },
    },
    // The weekly restore tests (components/data/aws/restore-testing.ts): a restore that failed or was
    // aborted, or whose validation failed or timed out. Restore jobs report `status` (DescribeRestoreJob:
    // Status, ValidationStatus; the event guide: "Some events report status ... others state"); the
    // two are alternatives through EventBridge's `$or` (User Guide, "Content filtering").
    "restore-test-failed": {
        source: ["aws.backup"],
        "detail-type": ["Restore Job State Change"],
        detail: { $or: [{ status: ["FAILED", "ABORTED"] }, { validationStatus: ["FAILED", "TIMED_OUT"] }] },
    },
} as const;

/** What each rule catches, for its description. */
const backupFailureDescriptions: Record<keyof typeof backupJobFailurePatterns, string> = {
    "backup-job-failed": "backup jobs that fail, are aborted or expire",
    "backup-copy-failed": "copy jobs that fail",
    "restore-test-failed": "restore tests that fail, are aborted or fail validation",
};

/**
 * The notification text of each rule, from an input transformer (EventBridge User Guide, "Amazon
 * EventBridge input transformation", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html:
 * a string template must be quoted; values taken from the event are not escaped, so only fields
 * that cannot hold a quote are used: ids, ARNs, states, the region and the time, never the free-text
 * `statusMessage`, which the describe command in the text shows). `region` is the event's own: the
 * region where the job ran, and where `describe-*-job` finds it.
 */
export const backupJobFailureMessages: Record<keyof typeof backupJobFailurePatterns, { paths: Record<string, string>; template: string }> =
    {
        "backup-job-failed": {
            paths: {
                job: "$.detail.backupJobId",
                state: "$.detail.state",
                resource: "$.detail.resourceArn",
                vault: "$.detail.backupVaultName",
                region: "$.region",
                time: "$.time",
            },
            template: JSON.stringify(
                "AWS Backup did not back up <resource>: backup job <job> ended <state> in <region> at <time>, so vault <vault> has no new recovery point and the newest restorable backup keeps getting older. " +
                    "Check first: aws backup describe-backup-job --region <region> --backup-job-id <job> (its StatusMessage says why); a job still running from the previous window (EXPIRED), the backup role's permissions, the vault key's policy, and whether S3 is opted in (aws backup describe-region-settings).",
            ),
        },
        "backup-copy-failed": {
            paths: {
                job: "$.detail.copyJobId",
                state: "$.detail.state",
                resource: "$.detail.resourceArn",
                from: "$.detail.sourceBackupVaultArn",
                to: "$.detail.destinationBackupVaultArn",
                region: "$.region",
                time: "$.time",
            },
            template: JSON.stringify(
                "AWS Backup did not copy the latest recovery point of <resource> from <from> to <to>: copy job <job> ended <state> in <region> at <time>, so the other region has no copy of it. " +
                    "Check first: aws backup describe-copy-job --region <region> --copy-job-id <job> (its StatusMessage says why); the destination vault's access policy and KMS key, the backup role's permissions in both regions.",
            ),
        },
        "restore-test-failed": {
            paths: {
                job: "$.detail.restoreJobId",
                type: "$.detail.resourceType",
                region: "$.region",
                time: "$.time",
            },
            template: JSON.stringify(
                "A restore test did not pass: AWS Backup restore job <job> (<type>) in <region> failed, was aborted or failed validation at <time>, so the latest backup is not known to restore. " +
                    "Check first: aws backup describe-restore-job --region <region> --restore-job-id <job> (Status, StatusMessage, ValidationStatus); the backup role's restore permissions, the vault key's policy, and the restore metadata AWS Backup inferred (aws backup get-restore-job-metadata).",
            ),
        },
    };

/**
 * The SNS topic one region's alarms notify, with the stack's subscribers.
 *
 * One topic per region, not one per stack: a CloudWatch alarm can only notify a topic in its own
 * region. Fanning the secondary's alarms into the primary's topic would route them through the
 * region whose failure they most need to report, so each region gets its own topic and its own copy
 * of the subscriber list (one email confirmation per address and region).
 *
 * The topic is encrypted with a customer-managed key: with the AWS-managed `alias/aws/sns` key,
 * CloudWatch alarms cannot publish (that key's policy does not let cloudwatch.amazonaws.com use it,
 * and AWS-managed key policies cannot be changed), so alarms would fire into nothing.
 *
 * With `backupJobFailures`, the topic also carries the region's AWS Backup failures
 * (`<name>-backup-job-failed`, `<name>-backup-copy-failed`, `<name>-restore-test-failed`: EventBridge rules targeting the topic).
 * They live here rather than in RegionalAlarms because what they need is this component's: EventBridge
 * may publish only if the topic's policy and its key's policy both admit events.amazonaws.com, and a
 * topic has exactly one policy (a second TopicPolicy would replace this one and lock CloudWatch out),
 * so the grants belong next to CloudWatch's. The rules need no metric, database or load balancer,
 * and the backup plan moves with the primary role, so they follow the topic into every region.
 * EventBridge publishes through the topic policy (no target role: EventBridge User Guide,
 * "Using resource-based policies", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html#eb-sns-permissions),
 * admitted only for these rules' ARNs, and encrypts with kms:GenerateDataKey* and kms:Decrypt
 * (SNS Developer Guide, "Key management", https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
 */
export class AlertTopic extends pulumi.ComponentResource {
    public readonly topic: aws.sns.Topic;
    /** What RegionalAlarms' `topicArn` takes. */
    public readonly topicArn: pulumi.Output<string>;
    public readonly key: aws.kms.Key;
    /** The AWS Backup failure rules by name suffix (`backup-job-failed`, `backup-copy-failed`, `restore-test-failed`); empty without `backupJobFailures`. */
    public readonly backupJobFailureRules: Record<string, aws.cloudwatch.EventRule>;

    constructor(name: string, args: AlertTopicArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:AlertTopic", name, {}, opts);
        const problems = subscriptionProblems(args.subscriptions);
        if (problems.length > 0) {
            throw new Error(`AlertTopic ${name}: ${problems.join("; ")}`);
        }
        const topicName = `saleor-${pulumi.getStack()}-${args.region}-alerts`;
        const partition = partitionOf(args.region);
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const root = pulumi.interpolate`arn:${partition}:iam::${account}:root`;

        this.key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `Saleor alert topic ${topicName}`,
                enableKeyRotation: true,
                deletionWindowInDays: args.protect ? 30 : 7,
                policy: policyDocument([
                    // The account (and so its IAM policies) administers the key, as in KMS's default policy.
                    { Sid: "EnableIamPolicies", Effect: "Allow", Principal: { AWS: root }, Action: "kms:*", Resource: "*" },
                    {
                        Sid: "CloudWatchAlarmsEncryptMessages",
                        Effect: "Allow",
                        Principal: { Service: "cloudwatch.amazonaws.com" },
                        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                        Resource: "*",
                    },
                    ...(args.backupJobFailures
                        ? [
                              {
                                  Sid: "EventBridgeEncryptMessages",
                                  Effect: "Allow" as const,
                                  Principal: { Service: "events.amazonaws.com" },
                                  Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                                  Resource: "*",
                              },
                          ]
                        : []),
                ]),
                tags: args.tags,
            },
            { parent: this },
        );
        new aws.kms.Alias(`${name}-key`, { name: `alias/${topicName}`, targetKeyId: this.key.keyId }, { parent: this });

        this.topic = new aws.sns.Topic(
            `${name}-topic`,
            {
                name: topicName,
                displayName: `Saleor ${pulumi.getStack()} ${args.region}`,
                kmsMasterKeyId: this.key.arn,
                tags: args.tags,
            },
            { parent: this },
        );
        this.topicArn = this.topic.arn;

        this.backupJobFailureRules = {};
        if (args.backupJobFailures) {
            for (const [what, pattern] of Object.entries(backupJobFailurePatterns)) {
                this.backupJobFailureRules[what] = new aws.cloudwatch.EventRule(
                    `${name}-${what}`,
                    {
                        // EventBridge caps rule names at 64 characters (PutRule, Name); the stack's name can be long.
                        name: fitName(`saleor-${pulumi.getStack()}-${args.region}-${what}`, 64),
                        description: `AWS Backup ${backupFailureDescriptions[what as keyof typeof backupJobFailurePatterns]} in ${args.region}, announced on ${topicName}`,
                        eventPattern: JSON.stringify(pattern),
                        tags: args.tags,
                    },
                    { parent: this },
                );
            }
        }
        const ruleArns = Object.values(this.backupJobFailureRules).map((r) => r.arn);

        const topicPolicy = new aws.sns.TopicPolicy(
            `${name}-topic`,
            {
                arn: this.topic.arn,
                policy: policyDocument([
                    {
                        Sid: "AccountManagesTopic",
                        Effect: "Allow",
                        Principal: { AWS: root },
                        Action: [
                            "sns:GetTopicAttributes",
                            "sns:SetTopicAttributes",
                            "sns:AddPermission",
                            "sns:RemovePermission",
                            "sns:DeleteTopic",
                            "sns:Subscribe",
                            "sns:ListSubscriptionsByTopic",
                            "sns:Publish",
                        ],
                        Resource: this.topic.arn,
                    },
                    {
                        // Only this account's alarms in this region may publish.
                        Sid: "CloudWatchAlarmsPublish",
                        Effect: "Allow",
                        Principal: { Service: "cloudwatch.amazonaws.com" },
                        Action: "sns:Publish",
                        Resource: this.topic.arn,
                        Condition: {
                            ArnLike: { "aws:SourceArn": pulumi.interpolate`arn:${partition}:cloudwatch:${args.region}:${account}:alarm:*` },
                            StringEquals: { "aws:SourceAccount": account },
                        },
                    },
                    ...(ruleArns.length > 0
                        ? [
                              {
                                  // Only this topic's own backup-failure rules, not every rule of the account.
                                  Sid: "BackupJobFailureRulesPublish",
                                  Effect: "Allow" as const,
                                  Principal: { Service: "events.amazonaws.com" },
                                  Action: "sns:Publish",
                                  Resource: this.topic.arn,
                                  Condition: { ArnEquals: { "aws:SourceArn": ruleArns } },
                              },
                          ]
                        : []),
                    {
                        Sid: "DenyInsecureTransport",
                        Effect: "Deny",
                        Principal: "*",
                        Action: "sns:Publish",
                        Resource: this.topic.arn,
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                ]),
            },
            { parent: this },
        );

        // Each target after the topic policy that admits its rule, so no event is delivered into a refusal.
        for (const [what, rule] of Object.entries(this.backupJobFailureRules)) {
            const message = backupJobFailureMessages[what as keyof typeof backupJobFailureMessages];
            new aws.cloudwatch.EventTarget(
                `${name}-${what}`,
                {
                    rule: rule.name,
                    arn: this.topic.arn,
                    inputTransformer: { inputPaths: message.paths, inputTemplate: message.template },
                },
                { parent: this, dependsOn: [topicPolicy] },
            );
        }

        // Named after the address, not its position: removing one address must not re-subscribe
        // (and re-mail a confirmation to) everyone listed after it.
        for (const address of args.subscriptions.email ?? []) {
            new aws.sns.TopicSubscription(
                `${name}-email-${shortHash(address.toLowerCase())}`,
                {
                    topic: this.topic.arn,
                    protocol: "email",
                    endpoint: address,
                },
                { parent: this },
            );
        }
        // Named by position: a name derived from the URL would put (a hash of) the secret in the URN.
        (args.subscriptions.https ?? []).forEach((url, i) => {
            new aws.sns.TopicSubscription(
                `${name}-https-${i + 1}`,
                {
                    topic: this.topic.arn,
                    protocol: "https",
                    endpoint: pulumi.secret(url),
                    // Wait for the endpoint's confirmation, so a URL that cannot confirm fails the
                    // deployment instead of leaving a subscription pending forever.
                    endpointAutoConfirms: true,
                    confirmationTimeoutInMinutes: 5,
                },
                { parent: this },
            );
        });

        this.registerOutputs({ topicArn: this.topicArn, keyArn: this.key.arn, backupJobFailureRuleArns: ruleArns });
    }
}

/** Every problem with a subscription list whose values are known now. */
export function subscriptionProblems(s: AlertSubscriptions): string[] {
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const address of s.email ?? []) {
        if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address)) problems.push(`subscriptions.email: "${address}" is not an email address`);
        if (seen.has(address.toLowerCase())) problems.push(`subscriptions.email: "${address}" is listed twice`);
        seen.add(address.toLowerCase());
    }
    (s.https ?? []).forEach((url, i) => {
        // Never echo the URL: it is a secret.
        if (typeof url === "string" && !/^https:\/\/[^\s/]+/.test(url)) problems.push(`subscriptions.https[${i}] is not an https:// URL`);
    });
    return problems;
}

function shortHash(s: string): string {
    return createHash("sha256").update(s).digest("hex").slice(0, 8);
}
