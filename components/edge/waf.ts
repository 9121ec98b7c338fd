import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The AWS managed rule groups every web ACL of the edge runs, in evaluation order. */
export const managedRuleGroups = [
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
] as const;

export interface WebAclArgs {
    /** REGIONAL for an ALB (the ACL lives in the ALB's region); CLOUDFRONT for a distribution (us-east-1 only). */
    readonly scope: "REGIONAL" | "CLOUDFRONT";
    /** Requests one client IP may make in 5 minutes before it is blocked. */
    readonly rateLimitPer5Min: number;
    /** Rules of AWSManagedRulesCommonRuleSet that only count instead of blocking. Default: none. */
    readonly commonRulesCountOnly?: string[];
    readonly description: string;
    /**
     * ARN of an IP set whose addresses are allowed ahead of the rate rule (after the managed groups,
     * which still inspect them): our own servers, whose requests carry many shoppers'. Default: none.
     */
    readonly allowedSourcesIpSetArn?: pulumi.Input<string>;
    /**
     * ARN of the S3 bucket every request is logged to, in the ACL's region; WAF accepts only a bucket
     * named `aws-waf-logs-*` (aws.wafv2.WebAclLoggingConfiguration docs: the "bucket name **must** be
     * prefixed with `aws-waf-logs-`"). Default: no logs.
     */
    readonly logDestinationArn?: pulumi.Input<string>;
    readonly tags?: Record<string, string>;
}

/**
 * Headers kept out of WAF logs: a staff member's JWT and the storefront's session cookies would
 * otherwise sit in the log bucket for its whole retention. WAF takes header names in lower case.
 */
export const redactedHeaders = ["authorization", "cookie"] as const;

/** CloudWatch metrics and sampled requests on for the ACL and each rule, so every block can be looked at. */
const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });

/** WAF metric names allow letters, digits, `-` and `_`, up to 128 characters. */
const metricName = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 128);

/**
 * A WAFv2 web ACL that allows by default and blocks what the AWS managed groups (common exploits,
 * known bad inputs, SQL injection) match, plus any IP above the rate limit. The regional edge and
 * the media CDN share it, so both block the same things; they differ in scope and provider only.
 */
export function createWebAcl(name: string, args: WebAclArgs, opts: pulumi.CustomResourceOptions): aws.wafv2.WebAcl {
    const countOnly = args.commonRulesCountOnly ?? [];
    const managed: aws.types.input.wafv2.WebAclRule[] = managedRuleGroups.map((group, i) => ({
        name: group,
        priority: 10 * (i + 1),
        // "none": the group's own actions (block) apply; "count" would turn the whole group off.
        overrideAction: { none: {} },
        statement: {
            managedRuleGroupStatement: {
                vendorName: "AWS",
                name: group,
                ruleActionOverrides:
                    group === "AWSManagedRulesCommonRuleSet" && countOnly.length > 0
                        ? countOnly.map((rule) => ({ name: rule, actionToUse: { count: {} } }))
                        : undefined,
            },
        },
        visibilityConfig: visibility(metricName(`${name}-${group}`)),
    }));
    const ratePriority = 10 * (managedRuleGroups.length + 1);
    const ownSources: aws.types.input.wafv2.WebAclRule[] = args.allowedSourcesIpSetArn
        ? [
              {
                  name: "allow-own-servers",
                  priority: ratePriority - 5,
                  action: { allow: {} },
                  statement: { ipSetReferenceStatement: { arn: args.allowedSourcesIpSetArn } },
                  visibilityConfig: visibility(metricName(`${name}-allow-own-servers`)),
              },
          ]
        : [];
    const rateLimit: aws.types.input.wafv2.WebAclRule = {
        name: "rate-limit-per-ip",
        priority: ratePriority,
        action: { block: {} },
        statement: { rateBasedStatement: { aggregateKeyType: "IP", limit: args.rateLimitPer5Min, evaluationWindowSec: 300 } },
        visibilityConfig: visibility(metricName(`${name}-rate-limit-per-ip`)),
    };
    const acl = new aws.wafv2.WebAcl(
        name,
        {
            scope: args.scope,
            description: args.description,
            defaultAction: { allow: {} },
            rules: [...managed, ...ownSources, rateLimit],
            visibilityConfig: visibility(metricName(name)),
            tags: args.tags,
        },
        opts,
    );
    if (args.logDestinationArn !== undefined) {
        new aws.wafv2.WebAclLoggingConfiguration(
            `${name}-logging`,
            {
                resourceArn: acl.arn,
                logDestinationConfigs: [args.logDestinationArn],
                redactedFields: redactedHeaders.map((header) => ({ singleHeader: { name: header } })),
            },
            opts,
        );
    }
    return acl;
}

/** Every problem with a rate limit: WAF counts per 5 minutes and accepts 10 to 2,000,000,000. */
export function rateLimitProblems(limit: number): string[] {
    return Number.isInteger(limit) && limit >= 10 && limit <= 2_000_000_000
        ? []
        : [`rateLimitPer5Min: ${limit} must be a whole number of requests between 10 and 2000000000`];
}
