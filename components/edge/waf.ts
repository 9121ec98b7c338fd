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
    readonly tags?: Record<string, string>;
}

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
    return new aws.wafv2.WebAcl(
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
}

/** Every problem with a rate limit: WAF counts per 5 minutes and accepts 10 to 2,000,000,000. */
export function rateLimitProblems(limit: number): string[] {
    return Number.isInteger(limit) && limit >= 10 && limit <= 2_000_000_000
        ? []
        : [`rateLimitPer5Min: ${limit} must be a whole number of requests between 10 and 2000000000`];
}
