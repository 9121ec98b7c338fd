import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { partitionOf } from "../cluster/aws/arn";
import { policyDocument } from "../data/aws/iam";

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
    readonly tags?: Record<string, string>;
}

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
 */
export class AlertTopic extends pulumi.ComponentResource {
    public readonly topic: aws.sns.Topic;
    /** What RegionalAlarms' `topicArn` takes. */
    public readonly topicArn: pulumi.Output<string>;
    public readonly key: aws.kms.Key;

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

        this.key = new aws.kms.Key(`${name}-key`, {
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
            ]),
            tags: args.tags,
        }, { parent: this });
        new aws.kms.Alias(`${name}-key`, { name: `alias/${topicName}`, targetKeyId: this.key.keyId }, { parent: this });

        this.topic = new aws.sns.Topic(`${name}-topic`, {
            name: topicName,
            displayName: `Saleor ${pulumi.getStack()} ${args.region}`,
            kmsMasterKeyId: this.key.arn,
            tags: args.tags,
        }, { parent: this });
        this.topicArn = this.topic.arn;

        new aws.sns.TopicPolicy(`${name}-topic`, {
            arn: this.topic.arn,
            policy: policyDocument([
                {
                    Sid: "AccountManagesTopic",
                    Effect: "Allow",
                    Principal: { AWS: root },
                    Action: [
                        "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:AddPermission", "sns:RemovePermission",
                        "sns:DeleteTopic", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish",
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
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "sns:Publish",
                    Resource: this.topic.arn,
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ]),
        }, { parent: this });

        // Named after the address, not its position: removing one address must not re-subscribe
        // (and re-mail a confirmation to) everyone listed after it.
        for (const address of args.subscriptions.email ?? []) {
            new aws.sns.TopicSubscription(`${name}-email-${shortHash(address.toLowerCase())}`, {
                topic: this.topic.arn,
                protocol: "email",
                endpoint: address,
            }, { parent: this });
        }
        // Named by position: a name derived from the URL would put (a hash of) the secret in the URN.
        (args.subscriptions.https ?? []).forEach((url, i) => {
            new aws.sns.TopicSubscription(`${name}-https-${i + 1}`, {
                topic: this.topic.arn,
                protocol: "https",
                endpoint: pulumi.secret(url),
                // Wait for the endpoint's confirmation, so a URL that cannot confirm fails the
                // deployment instead of leaving a subscription pending forever.
                endpointAutoConfirms: true,
                confirmationTimeoutInMinutes: 5,
            }, { parent: this });
        });

        this.registerOutputs({ topicArn: this.topicArn, keyArn: this.key.arn });
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
