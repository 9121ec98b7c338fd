import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createAlarmDashboard } from "./dashboard";
import { connectionThreshold, postgresMaxConnections, storageThresholdBytes } from "./database-limits";
import { alarmMetricArgs, type MetricRef, type Signal } from "./signals";
import { defaultThresholds, thresholdProblems, type AlarmThresholds } from "./thresholds";

/** An RDS PostgreSQL instance as its alarms need it. */
export interface DatabaseInstanceFacts {
    /** DBInstanceIdentifier (aws.rds.Instance `identifier`). */
    readonly identifier: pulumi.Input<string>;
    /** Instance class, e.g. "db.m7g.2xlarge": sets the connection threshold. */
    readonly instanceClass: string;
    /** Allocated storage in GiB: the free-storage threshold is a share of it. */
    readonly allocatedStorageGiB: number;
    /**
     * max_connections, when the parameter group sets it or the class is outside the table in
     * catalog/rds.ts. Default: RDS's formula for the class.
     */
    readonly maxConnections?: number;
}

export interface ReplicaFacts extends DatabaseInstanceFacts {
    /** A replica of a writer in another region: its ReplicaLag is watched. */
    readonly crossRegion: boolean;
}

export interface RegionalAlarmsArgs {
    /** The region these alarms live in (must match the AWS provider given in options); part of every name. */
    readonly region: string;
    /** SNS topic in the same region (AlertTopic.topicArn): CloudWatch only notifies same-region topics. */
    readonly topicArn: pulumi.Input<string>;
    /**
     * This region's ALB, made by the AWS Load Balancer Controller for the Ingress group; see
     * `lookupIngressLoadBalancer`. Undefined: no ALB alarms or graphs (e.g. before the first Ingress exists).
     */
    readonly loadBalancer: { readonly arnSuffix: pulumi.Input<string> } | undefined;
    /** The API's target group (ARN suffix "targetgroup/..."); adds the "no healthy target" alarm. Default: none. */
    readonly targetGroup?: { readonly arnSuffix: pulumi.Input<string> };
    readonly database: {
        /** The writer; the primary region only. */
        readonly writer?: DatabaseInstanceFacts;
        readonly replicas: ReplicaFacts[];
    };
    readonly cache: {
        readonly replicationGroupId: pulumi.Input<string>;
        /**
         * The group's member clusters (CacheClusterId of each node). Default: `<replicationGroupId>-001`
         * ... `-00<nodes>`, the names ElastiCache gives a cluster-mode-disabled group's nodes.
         */
        readonly memberClusterIds?: pulumi.Input<string>[];
        /** Nodes in the group (numCacheClusters); needed when `memberClusterIds` is not given. */
        readonly nodes?: number;
    };
    /** EKS cluster name: node CPU comes from Container Insights (the cluster's `containerInsights` add-on). */
    readonly clusterName: pulumi.Input<string>;
    /**
     * The S3 request metrics of the region's delivered logs (RegionalLogs.deliveryMetrics): an alarm
     * per log fires when none arrived for two hours. Default: none.
     */
    readonly logDelivery?: readonly {
        readonly log: string;
        readonly title: string;
        readonly bucket: pulumi.Input<string>;
        readonly filterId: pulumi.Input<string>;
    }[];
    /**
     * The daily count of validated restore tests (DataTier's `restoreTests`, where the region runs
     * them): an alarm fires when two daily audits in a row found none, or the audit stopped. Default: none.
     */
    readonly restoreTests?: {
        readonly namespace: string;
        readonly metricName: string;
        readonly dimensions: Record<string, pulumi.Input<string>>;
    };
    /** Overrides of `defaultThresholds` (the production guide's numbers). Default: none. */
    readonly thresholds?: Partial<AlarmThresholds>;
    readonly tags?: Record<string, string>;
}

/**
 * How absence of data is judged, deliberately per kind of metric:
 * - traffic metrics (ALB): no data means no requests, which is not an error;
 * - utilisation metrics (CPU, connections, memory, storage): no data means the resource is gone or
 *   being replaced, not overloaded; the alarm shows INSUFFICIENT_DATA in the console without paging,
 *   and the outage itself surfaces through the ALB and healthy-host alarms;
 * - health metrics (healthy hosts, replica lag): silence is itself the failure.
 */
type MissingData = "notBreaching" | "missing" | "breaching";

/** One alarm (and the graph of the same signal). */
interface AlarmSpec {
    /** Name suffix: `saleor-<stack>-<region>-<what>`. */
    readonly what: string;
    readonly title: string;
    readonly description: pulumi.Input<string>;
    readonly signal: Signal;
    /** Seconds per datapoint. */
    readonly period: number;
    readonly comparison: "GreaterThanThreshold" | "LessThanThreshold";
    readonly threshold: number;
    readonly thresholdLabel: string;
    /** Fires when `datapointsToAlarm` of the last `evaluationPeriods` datapoints breach. */
    readonly evaluationPeriods: number;
    readonly datapointsToAlarm: number;
    readonly treatMissingData: MissingData;
    readonly evaluateLowSampleCountPercentiles?: "ignore" | "evaluate";
}

/**
 * CloudWatch alarms and a dashboard for one region: the production guide's critical alerts (seed
 * 003) on the ALB, RDS, ElastiCache and the EKS nodes, each notifying `topicArn` when it fires and
 * when it recovers.
 */
export class RegionalAlarms extends pulumi.ComponentResource {
    /** Alarms by their name suffix (`alb-5xx-share`, `postgres-writer-cpu`, ...). */
    public readonly alarms: Record<string, aws.cloudwatch.MetricAlarm>;
    public readonly dashboard: aws.cloudwatch.Dashboard;
    /** The thresholds in force, defaults applied. */
    public readonly thresholds: AlarmThresholds;

    constructor(name: string, args: RegionalAlarmsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:RegionalAlarms", name, {}, opts);
        const t: AlarmThresholds = { ...defaultThresholds, ...args.thresholds };
        const problems = [...thresholdProblems(t), ...argumentProblems(args)];
        if (problems.length > 0) {
            throw new Error(`RegionalAlarms ${name}: ${problems.join("; ")}`);
        }
        this.thresholds = t;
        const prefix = `saleor-${pulumi.getStack()}-${args.region}`;

        const specs: AlarmSpec[] = [
            ...loadBalancerAlarms(args, t),
            ...databaseAlarms(args, t),
            ...cacheAlarms(args, t),
            nodeCpuAlarm(args, t),
            ...logDeliveryAlarms(args),
            ...restoreTestAlarms(args),
        ];
        this.alarms = {};
        for (const spec of specs) {
            this.alarms[spec.what] = new aws.cloudwatch.MetricAlarm(
                `${name}-${spec.what}`,
                {
                    name: `${prefix}-${spec.what}`,
                    alarmDescription: spec.description,
                    ...alarmMetricArgs(spec.signal, spec.period),
                    comparisonOperator: spec.comparison,
                    threshold: spec.threshold,
                    evaluationPeriods: spec.evaluationPeriods,
                    datapointsToAlarm: spec.datapointsToAlarm,
                    treatMissingData: spec.treatMissingData,
                    evaluateLowSampleCountPercentiles: spec.evaluateLowSampleCountPercentiles,
                    actionsEnabled: true,
                    // Recoveries are announced too, so whoever was paged knows when it is over.
                    alarmActions: [args.topicArn],
                    okActions: [args.topicArn],
                    tags: args.tags,
                },
                { parent: this },
            );
        }

        this.dashboard = createAlarmDashboard(
            `${name}-dashboard`,
            {
                dashboardName: prefix,
                region: args.region,
                alarmArns: Object.values(this.alarms).map((a) => a.arn),
                graphs: specs.map((s) => ({
                    title: s.title,
                    signal: s.signal,
                    period: s.period,
                    threshold: s.threshold,
                    thresholdLabel: s.thresholdLabel,
                })),
            },
            this,
        );

        this.registerOutputs({
            alarmNames: Object.values(this.alarms).map((a) => a.name),
            dashboardName: this.dashboard.dashboardName,
        });
    }
}

/**
 * The ALB the AWS Load Balancer Controller made for an Ingress group, found by the tags the
 * controller puts on it (`ingress.k8s.aws/stack` = the group name, `elbv2.k8s.aws/cluster` = the
 * cluster). The controller creates it asynchronously, so the lookup must wait for the Ingresses
 * (`dependsOn`): the Kubernetes provider reports an Ingress ready only once the ALB's address is in
 * its status. During the first preview the result is unknown, and the alarms appear on `up`.
 * Pass `parent` (or `provider`) so the lookup runs in the ALB's region.
 */
export function lookupIngressLoadBalancer(
    groupName: string,
    dependsOn: pulumi.Input<pulumi.Resource>[],
    opts: {
        readonly clusterName?: pulumi.Input<string>;
        readonly parent?: pulumi.Resource;
        readonly provider?: pulumi.ProviderResource;
    } = {},
): { readonly arnSuffix: pulumi.Output<string>; readonly arn: pulumi.Output<string>; readonly dnsName: pulumi.Output<string> } {
    const tags: Record<string, pulumi.Input<string>> = { "ingress.k8s.aws/stack": groupName };
    if (opts.clusterName !== undefined) tags["elbv2.k8s.aws/cluster"] = opts.clusterName;
    const lb = aws.lb.getLoadBalancerOutput({ tags }, { dependsOn, parent: opts.parent, provider: opts.provider });
    return { arnSuffix: lb.arnSuffix, arn: lb.arn, dnsName: lb.dnsName };
}

/** The CacheClusterId of every node, given or derived from the group id. */
export function cacheMemberIds(cache: RegionalAlarmsArgs["cache"]): pulumi.Input<string>[] {
    if (cache.memberClusterIds) return cache.memberClusterIds;
    return Array.from(
        { length: cache.nodes ?? 0 },
        (_, i) => pulumi.interpolate`${cache.replicationGroupId}-${String(i + 1).padStart(3, "0")}`,
    );
}

function argumentProblems(args: RegionalAlarmsArgs): string[] {
    const problems: string[] = [];
    const instances = [
        ...(args.database.writer ? [["database.writer", args.database.writer] as const] : []),
        ...args.database.replicas.map((r, i) => [`database.replicas[${i}]`, r] as const),
    ];
    for (const [key, db] of instances) {
        if (db.maxConnections === undefined && postgresMaxConnections(db.instanceClass) === undefined) {
            problems.push(
                `${key}: instance class "${db.instanceClass}" is not in the memory table (catalog/rds.ts); give maxConnections (SHOW max_connections)`,
            );
        }
        if (!(db.allocatedStorageGiB > 0)) problems.push(`${key}.allocatedStorageGiB: ${db.allocatedStorageGiB} must be greater than 0`);
    }
    const nodes = args.cache.memberClusterIds?.length ?? args.cache.nodes ?? 0;
    if (nodes < 1) problems.push("cache: give memberClusterIds or nodes (at least 1)");
    return problems;
}

const minutes = (seconds: number) => seconds / 60;

/**
 * A log that stops arriving: its PUTs under its prefix (S3 request metrics, AWS/S3 PutRequests by
 * BucketName and FilterId; Amazon S3 User Guide, "Metrics and dimensions") summed per hour, fewer
 * than 1 for 2 hours in a row. Every log here always has something to say: flow logs record the
 * VPC's own traffic (the nodes, NAT), and the ALB, with its WAF, answers Route 53's health checks
 * of the region's API host every 30 s from every checker, so their access and WAF logs never go
 * quiet while the edge exists. S3 publishes a request metric only for a minute with requests, so no
 * datapoint is the failure itself (breaching); two hours absorb the best-effort delivery of the
 * metrics (the same page: "CloudWatch metrics are delivered on a best-effort basis").
 */
function logDeliveryAlarms(args: RegionalAlarmsArgs): AlarmSpec[] {
    return (args.logDelivery ?? []).map((d) => ({
        what: `${d.log}-log-delivery`,
        title: `${d.title} delivered, objects per hour (${args.region})`,
        description: pulumi.interpolate`No ${d.title} reached s3://${d.bucket} in ${args.region} (S3 request metrics filter ${d.filterId}) for 2 hours. The audit trail has a gap while this lasts. Check first: the log's delivery in the console (VPC flow logs: the flow log's status and DeliverLogsErrorMessage; WAF: the web ACL's logging configuration; ALB: the access_logs attributes of the load balancer); the bucket policy and, for the delivered-log bucket, its KMS key policy (deliveredLogWriters, deliveredLogsMayUseKey); whether the ALB or VPC was replaced.`,
        signal: {
            kind: "metric",
            metric: {
                id: "puts",
                namespace: "AWS/S3",
                metricName: "PutRequests",
                dimensions: { BucketName: d.bucket, FilterId: d.filterId },
                stat: "Sum",
                label: `${d.title} PUTs`,
            },
        },
        period: 3600,
        comparison: "LessThanThreshold",
        threshold: 1,
        thresholdLabel: "alarm below 1 object an hour",
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        treatMissingData: "breaching",
    }));
}

/**
 * The weekly restore test that never ran. A failed restore or validation is an event
 * (`restore-test-failed`, AlertTopic); a test that does not start at all (a deleted selection, a
 * restore role that lost its permissions, a plan that stopped) raises none. The validation function
 * audits daily and publishes how many database restore tests of the last 8 days were validated
 * (components/data/aws/restore-validation.ts). Two daily datapoints below 1 fire it: one missed audit
 * (a late schedule) does not, and no datapoint at all, an audit that stopped running, is breaching.
 */
function restoreTestAlarms(args: RegionalAlarmsArgs): AlarmSpec[] {
    const m = args.restoreTests;
    if (!m) return [];
    return [
        {
            what: "restore-tests-missing",
            title: `Restore tests validated in the last 8 days (${args.region})`,
            description: `No weekly restore test of the ${args.region} database was validated in the last 8 days, on two daily checks in a row (or the daily check stopped running), so nobody knows whether the latest backup restores. Check first: aws backup list-restore-jobs --region ${args.region} --by-resource-type RDS (a job that never started, FAILED or ABORTED, or a ValidationStatus other than SUCCESSFUL); the restore testing plan and its database selection (aws backup list-restore-testing-selections); the validation function's log (/aws/lambda/...-restore-validation) for its daily audit line.`,
            signal: {
                kind: "metric",
                metric: {
                    id: "validated",
                    namespace: m.namespace,
                    metricName: m.metricName,
                    dimensions: m.dimensions,
                    stat: "Maximum",
                    label: "validated restore tests",
                },
            },
            period: 86_400,
            comparison: "LessThanThreshold",
            threshold: 1,
            thresholdLabel: "alarm below 1 validated restore test in 8 days",
            evaluationPeriods: 2,
            datapointsToAlarm: 2,
            treatMissingData: "breaching",
        },
    ];
}

function loadBalancerAlarms(args: RegionalAlarmsArgs, t: AlarmThresholds): AlarmSpec[] {
    if (!args.loadBalancer) return [];
    const lb = { LoadBalancer: args.loadBalancer.arnSuffix };
    const alb = (
        id: string,
        metricName: string,
        stat: string,
        label?: string,
        dimensions: Record<string, pulumi.Input<string>> = lb,
    ): MetricRef => ({ id, namespace: "AWS/ApplicationELB", metricName, dimensions, stat, label });
    const region = args.region;
    const specs: AlarmSpec[] = [
        {
            what: "alb-5xx-share",
            title: `5xx share of requests, % (${region})`,
            description: `More than ${t.errorRatePercent}% of the requests to the ${region} load balancer were answered with a 5xx, by Saleor or by the ALB itself, in 2 of the last 3 five-minute windows (a window counts only with at least ${t.minimumRequests} requests). Users are getting errors. Check first: Sentry for new exceptions and whether a rollout just happened; on the dashboard, ALB 5xx (502/503/504: pods not ready, crashing or timing out) versus target 5xx (application errors); kubectl get pods -n saleor for restarts and failed probes; the database and cache alarms of this region.`,
            signal: {
                kind: "expression",
                // RequestCount leaves out requests the ALB rejected before choosing a target (a 503
                // with no healthy target), so they are added back: a full outage reads as 100%, not as
                // "no traffic". FILL: the 5xx counts are not published for windows without errors.
                steps: [
                    { id: "total", expression: "FILL(requests, 0) + FILL(elb5xx, 0)" },
                    { id: "errors", expression: "FILL(target5xx, 0) + FILL(elb5xx, 0)" },
                ],
                expression: `IF(total >= ${t.minimumRequests}, 100 * errors / total, 0)`,
                label: "5xx share of requests (%)",
                inputs: [
                    alb("requests", "RequestCount", "Sum"),
                    alb("target5xx", "HTTPCode_Target_5XX_Count", "Sum"),
                    alb("elb5xx", "HTTPCode_ELB_5XX_Count", "Sum"),
                ],
            },
            period: 300,
            comparison: "GreaterThanThreshold",
            threshold: t.errorRatePercent,
            thresholdLabel: `alarm above ${t.errorRatePercent}%`,
            evaluationPeriods: 3,
            datapointsToAlarm: 2,
            treatMissingData: "notBreaching",
        },
        {
            what: "alb-p95-latency",
            title: `p95 response time, s (${region})`,
            description: `The 95th percentile of the time Saleor took to answer requests behind the ${region} load balancer was above ${t.p95ResponseTimeSeconds} s in 2 of the last 3 five-minute windows (windows with too few requests to estimate a p95 are skipped). Check first: the PostgreSQL CPU and connection alarms and Performance Insights' top SQL; Core pods' CPU throttling and whether the HPA is at its maximum; cache memory and evictions; whether a rollout or a bulk job (import, populatedb) just started.`,
            signal: { kind: "metric", metric: alb("p95", "TargetResponseTime", "p95", "p95 TargetResponseTime") },
            period: 300,
            comparison: "GreaterThanThreshold",
            threshold: t.p95ResponseTimeSeconds,
            thresholdLabel: `alarm above ${t.p95ResponseTimeSeconds} s`,
            evaluationPeriods: 3,
            datapointsToAlarm: 2,
            treatMissingData: "notBreaching",
            evaluateLowSampleCountPercentiles: "ignore",
        },
    ];
    if (args.targetGroup) {
        specs.push({
            what: "alb-healthy-hosts",
            title: `Healthy API targets (${region})`,
            description: `The API target group of the ${region} load balancer had no healthy target for 3 minutes: the API is down in this region whatever the traffic. Check first: kubectl get pods -n saleor and the events of the Core API pods (readiness probe on /health/, image pull, crash loops), the last rollout and the migration Job, node capacity. Also fires when the target group stops reporting.`,
            signal: {
                kind: "metric",
                metric: alb("healthy", "HealthyHostCount", "Minimum", "healthy targets", {
                    TargetGroup: args.targetGroup.arnSuffix,
                    ...lb,
                }),
            },
            period: 60,
            comparison: "LessThanThreshold",
            threshold: 1,
            thresholdLabel: "alarm below 1",
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            treatMissingData: "breaching",
        });
    }
    return specs;
}

function databaseAlarms(args: RegionalAlarmsArgs, t: AlarmThresholds): AlarmSpec[] {
    const replicas = args.database.replicas;
    const instances: { role: string; db: DatabaseInstanceFacts; crossRegion: boolean }[] = [
        ...(args.database.writer ? [{ role: "writer", db: args.database.writer, crossRegion: false }] : []),
        ...replicas.map((r, i) => ({
            role: replicas.length > 1 ? `replica-${i + 1}` : "replica",
            db: r as DatabaseInstanceFacts,
            crossRegion: r.crossRegion,
        })),
    ];
    return instances.flatMap(({ role, db, crossRegion }) => {
        const rds = (metricName: string, stat: string): MetricRef => ({
            id: "m",
            namespace: "AWS/RDS",
            metricName,
            dimensions: { DBInstanceIdentifier: db.identifier },
            stat,
            label: metricName,
        });
        const maxConnections = db.maxConnections ?? postgresMaxConnections(db.instanceClass)!;
        const connections = connectionThreshold(maxConnections, t.databaseConnectionsPercent);
        const freeBytes = storageThresholdBytes(db.allocatedStorageGiB, t.databaseFreeStoragePercent);
        const freeGiB = (db.allocatedStorageGiB * t.databaseFreeStoragePercent) / 100;
        const who = pulumi.interpolate`PostgreSQL ${role} ${db.identifier} (${db.instanceClass}, ${args.region})`;
        const specs: AlarmSpec[] = [
            {
                what: `postgres-${role}-cpu`,
                title: `PostgreSQL ${role} CPU, % (${args.region})`,
                description: pulumi.interpolate`CPU of ${who} was above ${t.databaseCpuPercent}% for 15 minutes: queries queue and response times follow. Check first: Performance Insights (top SQL, waits), a running migration or bulk import, autovacuum and long transactions in pg_stat_activity; if the load is legitimate, move to a larger instance class.`,
                signal: { kind: "metric", metric: rds("CPUUtilization", "Average") },
                period: 300,
                comparison: "GreaterThanThreshold",
                threshold: t.databaseCpuPercent,
                thresholdLabel: `alarm above ${t.databaseCpuPercent}%`,
                evaluationPeriods: 3,
                datapointsToAlarm: 3,
                treatMissingData: "missing",
            },
            {
                what: `postgres-${role}-connections`,
                title: `PostgreSQL ${role} connections (${args.region})`,
                description: pulumi.interpolate`${who} had more than ${connections} connections (${t.databaseConnectionsPercent}% of its max_connections of ${maxConnections}) in 2 of the last 3 five-minute windows; at ${maxConnections} new connections are refused and Saleor answers 500. Check first: how many Core and Celery worker pods run and their worker/concurrency settings (each process keeps its own connections), idle and idle-in-transaction sessions in pg_stat_activity, a stuck migration Job; add a connection pooler before raising max_connections.`,
                signal: { kind: "metric", metric: rds("DatabaseConnections", "Maximum") },
                period: 300,
                comparison: "GreaterThanThreshold",
                threshold: connections,
                thresholdLabel: `alarm above ${connections} (${t.databaseConnectionsPercent}% of ${maxConnections})`,
                evaluationPeriods: 3,
                datapointsToAlarm: 2,
                treatMissingData: "missing",
            },
            {
                what: `postgres-${role}-free-storage`,
                title: `PostgreSQL ${role} free storage, bytes (${args.region})`,
                description: pulumi.interpolate`${who} has less than ${t.databaseFreeStoragePercent}% (${freeGiB} GiB) of its ${db.allocatedStorageGiB} GiB free for 10 minutes. Storage autoscaling only acts below 10% free, and at 0 the database stops taking writes. Check first: table and index bloat and long transactions that block vacuum, replication slots holding WAL (a lagging or abandoned replica), log volume; then raise the allocated storage and this alarm's allocatedStorageGiB with it.`,
                signal: { kind: "metric", metric: rds("FreeStorageSpace", "Minimum") },
                period: 300,
                comparison: "LessThanThreshold",
                threshold: freeBytes,
                thresholdLabel: `alarm below ${freeGiB} GiB`,
                evaluationPeriods: 2,
                datapointsToAlarm: 2,
                treatMissingData: "missing",
            },
        ];
        if (crossRegion) {
            specs.push({
                what: `postgres-${role}-lag`,
                title: `PostgreSQL ${role} replica lag, s (${args.region})`,
                description: pulumi.interpolate`The cross-region replica ${db.identifier} in ${args.region} stayed more than ${t.replicaLagSeconds} s (${minutes(t.replicaLagSeconds)} min) behind the writer for 10 minutes, or stopped reporting its lag. This region reads stale data, and promoting it now would lose that much. Check first: the replica's RDS events (replication errors), write volume on the writer (bulk import, migration), the replica's CPU and storage throughput; if the lag only grows, replication is broken and the replica must be recreated.`,
                signal: { kind: "metric", metric: rds("ReplicaLag", "Minimum") },
                period: 300,
                comparison: "GreaterThanThreshold",
                threshold: t.replicaLagSeconds,
                thresholdLabel: `alarm above ${t.replicaLagSeconds} s`,
                evaluationPeriods: 2,
                datapointsToAlarm: 2,
                treatMissingData: "breaching",
            });
        }
        return specs;
    });
}

function cacheAlarms(args: RegionalAlarmsArgs, t: AlarmThresholds): AlarmSpec[] {
    return cacheMemberIds(args.cache).flatMap((member, i) => {
        const node = `cache-${i + 1}`;
        const metric = (metricName: string, stat: string): MetricRef => ({
            id: "m",
            namespace: "AWS/ElastiCache",
            metricName,
            dimensions: { CacheClusterId: member },
            stat,
            label: metricName,
        });
        const who = pulumi.interpolate`Valkey node ${member} (${args.region})`;
        const specs: AlarmSpec[] = [
            {
                what: `${node}-engine-cpu`,
                title: `Valkey ${node} engine CPU, % (${args.region})`,
                description: pulumi.interpolate`Engine CPU of ${who} was above ${t.cacheEngineCpuPercent}% for 15 minutes: the thread that executes every command is saturated, so cache reads and the Celery broker slow down together. Check first: SLOWLOG for expensive commands, a burst of Celery tasks, the number of client connections; then a larger node type.`,
                signal: { kind: "metric", metric: metric("EngineCPUUtilization", "Average") },
                period: 300,
                comparison: "GreaterThanThreshold",
                threshold: t.cacheEngineCpuPercent,
                thresholdLabel: `alarm above ${t.cacheEngineCpuPercent}%`,
                evaluationPeriods: 3,
                datapointsToAlarm: 3,
                treatMissingData: "missing",
            },
            {
                what: `${node}-memory`,
                title: `Valkey ${node} memory used, % (${args.region})`,
                description: pulumi.interpolate`${who} used more than ${t.cacheMemoryPercent}% of its memory for 10 minutes. It holds Saleor's cache (database 0), Celery's task queue (1) and the storefront's page cache (2): near 100% keys with a TTL are evicted and then new tasks are refused. Check first: Celery queue length (workers down or too slow, tasks piling up), the Evictions metric, the keys per database (INFO keyspace), keys written without a TTL; then a larger node type.`,
                signal: { kind: "metric", metric: metric("DatabaseMemoryUsagePercentage", "Maximum") },
                period: 300,
                comparison: "GreaterThanThreshold",
                threshold: t.cacheMemoryPercent,
                thresholdLabel: `alarm above ${t.cacheMemoryPercent}%`,
                evaluationPeriods: 2,
                datapointsToAlarm: 2,
                treatMissingData: "missing",
            },
        ];
        return specs;
    });
}

/**
 * The cluster-wide average, not the hottest node: one busy node is the scheduler's business, while
 * an average above the line means the cluster as a whole has no headroom left.
 */
function nodeCpuAlarm(args: RegionalAlarmsArgs, t: AlarmThresholds): AlarmSpec {
    return {
        what: "eks-node-cpu",
        title: `EKS node CPU, % (${args.region})`,
        description: pulumi.interpolate`Average CPU of the EKS nodes of ${args.clusterName} (${args.region}) was above ${t.nodeCpuPercent}% for 15 minutes: the cluster has no headroom, so new pods stay pending and running ones are throttled. Check first: whether the node group is at its maximum size, pods without CPU limits or a runaway Celery worker (kubectl top pods -A), HPAs at their maximum; then raise the node group's maxSize or instance type. No data at all means the CloudWatch observability add-on is not running.`,
        signal: {
            kind: "metric",
            metric: {
                id: "m",
                namespace: "ContainerInsights",
                metricName: "node_cpu_utilization",
                dimensions: { ClusterName: args.clusterName },
                stat: "Average",
                label: "node_cpu_utilization",
            },
        },
        period: 300,
        comparison: "GreaterThanThreshold",
        threshold: t.nodeCpuPercent,
        thresholdLabel: `alarm above ${t.nodeCpuPercent}%`,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: "missing",
    };
}
