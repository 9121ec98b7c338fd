import type { PlanDocument, PlanState } from "./json";

/**
 * Names and tags the AWS APIs would refuse, found in the plan before any API is called: each rule
 * is the constraint the API reference gives for the parameter the input becomes. Only values the
 * plan knows are checked: an auto-name is the provider's to make (it respects these limits), and a
 * value that is "[unknown]" or "[secret]" is not known offline.
 */

interface NameRule {
    /** The input that becomes the API parameter. */
    readonly input: string;
    readonly min: number;
    readonly max: number;
    readonly pattern: RegExp;
    /** What the pattern allows, in the API reference's words. */
    readonly allowed: string;
    /** The API reference the constraint comes from. */
    readonly source: string;
}

const letterFirstHyphenated = /^[A-Za-z](?!.*--)[A-Za-z0-9-]*(?<!-)$/;

/** Constraints per resource type, from each API's reference. */
export const nameRules: Readonly<Record<string, NameRule>> = {
    "aws:rds/instance:Instance": {
        input: "identifier",
        min: 1,
        max: 63,
        pattern: letterFirstHyphenated,
        allowed: "letters, digits and hyphens; a letter first; no hyphen at the end or two in a row",
        source: "RDS API Reference, CreateDBInstance, DBInstanceIdentifier",
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        input: "replicationGroupId",
        min: 1,
        max: 40,
        pattern: letterFirstHyphenated,
        allowed: "letters, digits and hyphens; a letter first; no hyphen at the end or two in a row",
        source: "ElastiCache API Reference, CreateReplicationGroup, ReplicationGroupId",
    },
    "aws:eks/cluster:Cluster": {
        input: "name",
        min: 1,
        max: 100,
        pattern: /^[0-9A-Za-z][A-Za-z0-9\-_]*$/,
        allowed: "letters, digits, hyphens and underscores; a letter or digit first",
        source: "Amazon EKS API Reference, CreateCluster, name",
    },
    "aws:cloudwatch/eventRule:EventRule": {
        input: "name",
        min: 1,
        max: 64,
        pattern: /^[.\-_A-Za-z0-9]+$/,
        allowed: "letters, digits, '.', '-' and '_'",
        source: "Amazon EventBridge API Reference, PutRule, Name",
    },
    "aws:cloudwatch/metricAlarm:MetricAlarm": {
        input: "name",
        min: 1,
        max: 255,
        pattern: /^[\x20-\x7e]+$/,
        allowed: "printable ASCII",
        source: "Amazon CloudWatch API Reference, PutMetricAlarm, AlarmName",
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        input: "name",
        min: 1,
        max: 512,
        pattern: /^[.\-_/#A-Za-z0-9]+$/,
        allowed: "letters, digits, '.', '-', '_', '/' and '#'",
        source: "Amazon CloudWatch Logs API Reference, CreateLogGroup, logGroupName",
    },
    "aws:cloudwatch/dashboard:Dashboard": {
        input: "dashboardName",
        min: 1,
        max: 255,
        pattern: /^[A-Za-z0-9\-_]+$/,
        allowed: "letters, digits, '-' and '_'",
        source: "Amazon CloudWatch API Reference, PutDashboard, DashboardName",
    },
    "aws:sns/topic:Topic": {
        input: "name",
        min: 1,
        max: 256,
        pattern: /^[A-Za-z0-9_-]+$/,
        allowed: "letters, digits, '_' and '-'",
        source: "Amazon SNS API Reference, CreateTopic, Name",
    },
    "aws:kms/alias:Alias": {
        input: "name",
        min: 7,
        max: 256,
        pattern: /^alias\/(?!aws\/)[a-zA-Z0-9/_-]+$/,
        allowed: "alias/ then letters, digits, '/', '_' and '-' (not alias/aws/)",
        source: "AWS KMS API Reference, CreateAlias, AliasName",
    },
    "aws:iam/role:Role": {
        input: "name",
        min: 1,
        max: 64,
        pattern: /^[\w+=,.@-]+$/,
        allowed: "letters, digits and '+=,.@_-'",
        source: "IAM API Reference, CreateRole, RoleName",
    },
    "aws:iam/user:User": {
        input: "name",
        min: 1,
        max: 64,
        pattern: /^[\w+=,.@-]+$/,
        allowed: "letters, digits and '+=,.@_-'",
        source: "IAM API Reference, CreateUser, UserName",
    },
    "aws:iam/policy:Policy": {
        input: "name",
        min: 1,
        max: 128,
        pattern: /^[\w+=,.@-]+$/,
        allowed: "letters, digits and '+=,.@_-'",
        source: "IAM API Reference, CreatePolicy, PolicyName",
    },
    "aws:s3/bucket:Bucket": {
        input: "bucket",
        min: 3,
        max: 63,
        pattern: /^[a-z0-9](?!.*\.\.)[a-z0-9.-]*[a-z0-9]$/,
        allowed: "lower-case letters, digits, '.' and '-'; a letter or digit at both ends; no '..'",
        source: "Amazon S3 User Guide, General purpose bucket naming rules",
    },
};

/** Tag limits that apply to every taggable AWS resource (AWS Resource Groups Tagging, "Tag naming limits and requirements"). */
export const tagLimits = { maxTags: 50, maxKeyLength: 128, maxValueLength: 256 } as const;

const known = (v: unknown): v is string => typeof v === "string" && v !== "[unknown]" && v !== "[secret]";

/** One line per problem: the resource's URN, the input and what the API would say. */
export function awsLimitProblems(plan: Pick<PlanDocument, "steps">): string[] {
    return plan.steps.flatMap(({ newState: s }) => (s && s.type.startsWith("aws:") ? problemsOf(s) : []));
}

function problemsOf(s: PlanState): string[] {
    const problems: string[] = [];
    const inputs = s.inputs as Record<string, unknown>;
    const rule = nameRules[s.type];
    const name = rule ? inputs[rule.input] : undefined;
    if (rule && known(name)) {
        const why =
            name.length < rule.min || name.length > rule.max
                ? `is ${name.length} characters; allowed: ${rule.min} to ${rule.max}`
                : !rule.pattern.test(name)
                  ? `has characters or a shape the API refuses; allowed: ${rule.allowed}`
                  : undefined;
        if (why) problems.push(`${s.urn}: ${rule.input} "${name}" ${why} (${rule.source})`);
    }
    const tags = inputs.tags;
    if (tags && typeof tags === "object" && !Array.isArray(tags)) {
        const entries = Object.entries(tags as Record<string, unknown>);
        if (entries.length > tagLimits.maxTags)
            problems.push(`${s.urn}: tags: ${entries.length} tags; allowed: at most ${tagLimits.maxTags}`);
        for (const [k, v] of entries) {
            if (k.length > tagLimits.maxKeyLength) problems.push(`${s.urn}: tags: key "${k}" is over ${tagLimits.maxKeyLength} characters`);
            if (known(v) && v.length > tagLimits.maxValueLength)
                problems.push(`${s.urn}: tags.${k}: value is ${v.length} characters; allowed: at most ${tagLimits.maxValueLength}`);
        }
    }
    return problems;
}
