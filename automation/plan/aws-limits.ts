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

/** ELB names: "alphanumeric characters or hyphens, and must not begin or end with a hyphen". */
const elbName = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

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
    "aws:rds/snapshot:Snapshot": {
        input: "dbSnapshotIdentifier",
        min: 1,
        max: 255,
        pattern: letterFirstHyphenated,
        allowed: "letters, digits and hyphens; a letter first; no hyphen at the end or two in a row",
        source: "RDS API Reference, CreateDBSnapshot, DBSnapshotIdentifier",
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
    "aws:lb/targetGroup:TargetGroup": {
        input: "name",
        min: 1,
        max: 32,
        pattern: elbName,
        allowed: "letters, digits and hyphens; no hyphen at either end",
        source: "Elastic Load Balancing API Reference, CreateTargetGroup, Name",
    },
    "aws:lb/loadBalancer:LoadBalancer": {
        input: "name",
        min: 1,
        max: 32,
        pattern: /^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/,
        allowed: "letters, digits and hyphens; no hyphen at either end; not starting with internal-",
        source: "Elastic Load Balancing API Reference, CreateLoadBalancer, Name",
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

/**
 * Names the AWS Load Balancer Controller gives AWS from an Ingress's annotations: it refuses an
 * Ingress whose group name breaks its rule (and makes no ALB for the whole group), and AWS refuses a
 * load balancer name over ELB's limits.
 */
export const ingressAnnotationRules: Readonly<Record<string, Omit<NameRule, "input">>> = {
    "alb.ingress.kubernetes.io/group.name": {
        min: 1,
        max: 63,
        pattern: /^([a-z0-9][-a-z0-9.]*)?[a-z0-9]$/,
        allowed: "lower-case letters, digits, '-' and '.'; a letter or digit at both ends",
        source: "AWS Load Balancer Controller, Ingress annotations, group.name (pkg/ingress/group_loader.go)",
    },
    "alb.ingress.kubernetes.io/load-balancer-name": {
        ...nameRules["aws:lb/loadBalancer:LoadBalancer"],
        source: "AWS Load Balancer Controller, Ingress annotations, load-balancer-name; Elastic Load Balancing API Reference, CreateLoadBalancer, Name",
    },
};

/** Tag limits that apply to every taggable AWS resource (AWS Resource Groups Tagging, "Tag naming limits and requirements"). */
export const tagLimits = { maxTags: 50, maxKeyLength: 128, maxValueLength: 256 } as const;

const known = (v: unknown): v is string => typeof v === "string" && v !== "[unknown]" && v !== "[secret]";

/** One line per problem: the resource's URN, the input and what the API would say. */
export function awsLimitProblems(plan: Pick<PlanDocument, "steps">): string[] {
    return plan.steps.flatMap(({ newState: s }) =>
        !s
            ? []
            : s.type.startsWith("aws:")
              ? problemsOf(s)
              : s.type === "kubernetes:networking.k8s.io/v1:Ingress"
                ? ingressProblems(s)
                : [],
    );
}

/** Why the API refuses `value` under `rule`, or undefined. */
function refusal(value: string, rule: Omit<NameRule, "input">): string | undefined {
    return value.length < rule.min || value.length > rule.max
        ? `is ${value.length} characters; allowed: ${rule.min} to ${rule.max}`
        : !rule.pattern.test(value)
          ? `has characters or a shape the API refuses; allowed: ${rule.allowed}`
          : undefined;
}

function ingressProblems(s: PlanState): string[] {
    const annotations = ((s.inputs as { metadata?: { annotations?: Record<string, unknown> } }).metadata?.annotations ?? {}) as Record<
        string,
        unknown
    >;
    return Object.entries(ingressAnnotationRules).flatMap(([key, rule]) => {
        const value = annotations[key];
        const why = known(value) ? refusal(value, rule) : undefined;
        return why ? [`${s.urn}: metadata.annotations["${key}"] "${value}" ${why} (${rule.source})`] : [];
    });
}

function problemsOf(s: PlanState): string[] {
    const problems: string[] = [];
    const inputs = s.inputs as Record<string, unknown>;
    const rule = nameRules[s.type];
    const name = rule ? inputs[rule.input] : undefined;
    if (rule && known(name)) {
        const why = refusal(name, rule);
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
