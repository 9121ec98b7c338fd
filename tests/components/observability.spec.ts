import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlanMocks } from "../../automation/plan/mocks";
import { RegionalCluster, type AwsClusterArgs } from "../../components/cluster";
import { DataTier, type AwsDataArgs } from "../../components/data";
import { BackupVault } from "../../components/data/aws/vault";
import {
    AlertTopic,
    RegionalAlarms,
    backupJobFailureMessages,
    connectionThreshold,
    instanceMemoryGiB,
    lookupIngressLoadBalancer,
    observabilityEnv,
    postgresMaxConnections,
    storageThresholdBytes,
    type RegionalAlarmsArgs,
} from "../../components/observability";
import { awsDataArgs, primaryRegion, secondaryRegion } from "../support/fixtures";
import { isSecret, registered, reveal, type RecordedResource, type Resources } from "../support/harness";
import { deployRoleArnOf, permissionsBoundaryArnOf } from "../../automation/plan/fake-cloud";
import { eksAddonVersions } from "../../catalog/eks-addons";

/** The role the mocks deploy the test stack as. */
const deployRoleArn = deployRoleArnOf("test");

const GiB = 1024 ** 3;

const T = {
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    dashboard: "aws:cloudwatch/dashboard:Dashboard",
    eventRule: "aws:cloudwatch/eventRule:EventRule",
    eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
    topic: "aws:sns/topic:Topic",
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    subscription: "aws:sns/topicSubscription:TopicSubscription",
    key: "aws:kms/key:Key",
    plan: "aws:backup/plan:Plan",
    vault: "aws:backup/vault:Vault",
    selection: "aws:backup/selection:Selection",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    instance: "aws:rds/instance:Instance",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    provider: "pulumi:providers:aws",
} as const;

const inputs = (r: RecordedResource) => r.inputs as Record<string, any>;
const providerRef = (rs: Resources, name: string) => {
    const p = rs.one(T.provider, name);
    return `${p.urn}::${p.id}`;
};
function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) =>
        output.apply((v) => {
            resolve(v);
            return v;
        }),
    );
}

/** The production and staging defaults of config/defaults.ts. */
const dataArgs = (env: "production" | "staging", role: "primary" | "secondary"): AwsDataArgs => awsDataArgs(env, role);

const subscriptions = {
    email: ["oncall@example.com", "platform@example.com"],
    https: ["https://events.pagerduty.com/integration/SECRET-TOKEN/enqueue"],
};

interface Stack {
    rs: Resources;
    vaults: Record<string, BackupVault>;
    primary: DataTier;
    secondary: DataTier;
    topics: Record<string, AlertTopic>;
    alarms: Record<string, RegionalAlarms>;
    loadBalancerSuffix: Record<string, pulumi.Output<string>>;
    calls: { token: string; inputs: Record<string, any>; provider?: string }[];
}

/**
 * Both regions the way index.ts is to wire them: a backup vault per region first, the data tiers,
 * then one AlertTopic and one RegionalAlarms per region, each through its region's provider.
 */
async function deploy(env: "production" | "staging", opts: { copy?: boolean; loadBalancer?: boolean } = {}): Promise<Stack> {
    const calls: Stack["calls"] = [];
    const originalCall = PlanMocks.prototype.call;
    PlanMocks.prototype.call = function (this: PlanMocks, a) {
        calls.push({ token: a.token, inputs: a.inputs, provider: a.provider });
        return originalCall.call(this, a);
    };
    let built!: Omit<Stack, "rs" | "calls">;
    try {
        const rs = await registered(() => {
            const providers = {
                [primaryRegion]: new aws.Provider(primaryRegion, { region: primaryRegion }),
                [secondaryRegion]: new aws.Provider(secondaryRegion, { region: secondaryRegion }),
            };
            const vaults = Object.fromEntries(
                ([primaryRegion, secondaryRegion] as const).map((region) => [
                    region,
                    new BackupVault(`${region}-backups`, { region, protect: env === "production" }, { providers: [providers[region]] }),
                ]),
            );
            const primary = new DataTier(
                `${primaryRegion}-data`,
                {
                    aws: {
                        ...dataArgs(env, "primary"),
                        backup: {
                            vaultName: vaults[primaryRegion].vaultName,
                            copyToVaultArns: opts.copy !== false ? [vaults[secondaryRegion].arn] : [],
                        },
                    },
                },
                { providers: [providers[primaryRegion]] },
            );
            const secondary = new DataTier(
                `${secondaryRegion}-data`,
                {
                    aws: { ...dataArgs(env, "secondary"), primary: primary.aws!.primaryFacts },
                },
                { providers: [providers[secondaryRegion]] },
            );

            const topics: Record<string, AlertTopic> = {};
            const alarms: Record<string, RegionalAlarms> = {};
            const loadBalancerSuffix: Record<string, pulumi.Output<string>> = {};
            for (const [region, tier] of [
                [primaryRegion, primary],
                [secondaryRegion, secondary],
            ] as const) {
                const pg = dataArgs(env, region === primaryRegion ? "primary" : "secondary").postgres;
                topics[region] = new AlertTopic(
                    `${region}-alerts`,
                    { region, subscriptions, backupJobFailures: true },
                    { providers: [providers[region]] },
                );
                const lb =
                    opts.loadBalancer !== false
                        ? lookupIngressLoadBalancer(`saleor-${env}`, [tier], {
                              clusterName: `saleor-${env}-${region}`,
                              provider: providers[region],
                          })
                        : undefined;
                if (lb) loadBalancerSuffix[region] = lb.arnSuffix;
                const facts = (instance: aws.rds.Instance) => ({
                    identifier: instance.identifier,
                    instanceClass: pg.instanceClass,
                    allocatedStorageGiB: pg.allocatedStorageGiB,
                });
                alarms[region] = new RegionalAlarms(
                    `${region}-alarms`,
                    {
                        region,
                        topicArn: topics[region].topicArn,
                        loadBalancer: lb,
                        targetGroup:
                            region === primaryRegion ? { arnSuffix: "targetgroup/k8s-saleor-api-0a1b2c3d4e/0123456789abcdef" } : undefined,
                        database: {
                            writer: tier.aws!.writer ? facts(tier.aws!.writer) : undefined,
                            replicas: [
                                ...(tier.aws!.reader ? [{ ...facts(tier.aws!.reader), crossRegion: false }] : []),
                                ...(tier.aws!.standby ? [{ ...facts(tier.aws!.standby), crossRegion: true }] : []),
                            ],
                        },
                        cache: { replicationGroupId: tier.aws!.cache.replicationGroupId, nodes: dataArgs(env, "primary").cache.nodes },
                        clusterName: `saleor-${env}-${region}`,
                    },
                    { providers: [providers[region]] },
                );
            }
            built = { vaults, primary, secondary, topics, alarms, loadBalancerSuffix };
        }, env);
        return { rs, calls, ...built };
    } finally {
        PlanMocks.prototype.call = originalCall;
    }
}

/**
 * What an input transformer makes of `event`: each `<variable>` of the template replaced by the value
 * at its path (dot notation, as EventBridge takes it), the quoted template decoded to the text SNS sends.
 */
function transformed(transformer: { inputPaths: Record<string, string>; inputTemplate: string }, event: Record<string, unknown>): string {
    const at = (path: string) =>
        path
            .replace(/^\$\./, "")
            .split(".")
            .reduce<any>((v, key) => v?.[key], event);
    const filled = transformer.inputTemplate.replace(/<([A-Za-z0-9_.-]+)>/g, (whole, variable: string) =>
        variable in transformer.inputPaths ? String(at(transformer.inputPaths[variable])) : whole,
    );
    return JSON.parse(filled);
}

/** The "State: FAILED" example events of the AWS Backup Developer Guide (eventbridge.html), shortened. */
const backupJobFailedEvent = {
    version: "0",
    id: "710b0398-d48e-f3c3-afca-cfeb2fdaa656",
    "detail-type": "Backup Job State Change",
    source: "aws.backup",
    account: "123456789012",
    time: "2020-07-29T20:15:26Z",
    region: primaryRegion,
    resources: [],
    detail: {
        backupJobId: "34176239-e96d-4e1d-9fad-529dbb3c3556",
        backupVaultArn: `arn:aws:backup:${primaryRegion}:123456789012:backup-vault:${primaryRegion}-backups`,
        backupVaultName: `${primaryRegion}-backups`,
        resourceArn: `arn:aws:rds:${primaryRegion}:123456789012:db:saleor-writer`,
        resourceType: "RDS",
        state: "FAILED",
        statusMessage: '"Backup job failed because backup vault does not exist."',
    },
};
const copyJobFailedEvent = {
    version: "0",
    id: "4660bc92-a44d-c939-4542-cda503f14855",
    "detail-type": "Copy Job State Change",
    source: "aws.backup",
    account: "123456789012",
    time: "2020-07-15T20:37:34Z",
    region: primaryRegion,
    resources: [],
    detail: {
        copyJobId: "47C8EF56-74D8-059D-1301-C5BE1D5C926E",
        resourceArn: `arn:aws:rds:${primaryRegion}:123456789012:db:saleor-writer`,
        sourceBackupVaultArn: `arn:aws:backup:${primaryRegion}:123456789012:backup-vault:${primaryRegion}-backups`,
        destinationBackupVaultArn: `arn:aws:backup:${secondaryRegion}:123456789012:backup-vault:${secondaryRegion}-backups`,
        state: "FAILED",
        statusMessage: "Access denied exception while trying to list tags",
    },
};

const alarmsIn = (rs: Resources, region: string) => rs.ofType(T.alarm).filter((a) => a.name.startsWith(`${region}-alarms-`));
const alarm = (rs: Resources, region: string, what: string) => inputs(rs.one(T.alarm, `${region}-alarms-${what}`));

describe("observability", () => {
    describe("PostgreSQL limits from the instance class", () => {
        it("knows the memory of the classes in use and the common m/r/t classes", () => {
            assert.strictEqual(instanceMemoryGiB("db.t4g.large"), 8);
            assert.strictEqual(instanceMemoryGiB("db.m7g.2xlarge"), 32);
            assert.strictEqual(instanceMemoryGiB("db.m7g.large"), 8);
            assert.strictEqual(instanceMemoryGiB("db.r7g.xlarge"), 32);
            assert.strictEqual(instanceMemoryGiB("db.r6g.4xlarge"), 128);
            assert.strictEqual(instanceMemoryGiB("db.t3.micro"), 1);
            assert.strictEqual(instanceMemoryGiB("db.x2g.large"), undefined);
            assert.strictEqual(instanceMemoryGiB("not-a-class"), undefined);
        });

        it("computes RDS's default max_connections, LEAST(DBInstanceClassMemory/9531392, 5000)", () => {
            // 32 GiB = 34359738368 bytes; / 9531392 = 3604.9
            assert.strictEqual(postgresMaxConnections("db.m7g.2xlarge"), 3604);
            // 8 GiB = 8589934592 bytes; / 9531392 = 901.2
            assert.strictEqual(postgresMaxConnections("db.t4g.large"), 901);
            // 64 GiB would give 7209: capped at 5000.
            assert.strictEqual(postgresMaxConnections("db.m7g.4xlarge"), 5000);
            assert.strictEqual(postgresMaxConnections("db.x2g.large"), undefined);
        });

        it("alarms above 90% of max_connections: 3243 connections on db.m7g.2xlarge, 810 on db.t4g.large", () => {
            assert.strictEqual(connectionThreshold(3604, 90), 3243);
            assert.strictEqual(connectionThreshold(901, 90), 810);
            // More than the threshold is exactly more than 90% of max_connections for whole connections.
            for (const max of [3604, 901, 5000, 87]) {
                const threshold = connectionThreshold(max, 90);
                assert.ok(threshold <= 0.9 * max && threshold + 1 > 0.9 * max, `${threshold} for ${max}`);
            }
        });

        it("expresses 20% of 500 GiB in bytes", () => {
            assert.strictEqual(storageThresholdBytes(500, 20), 100 * GiB);
            assert.strictEqual(storageThresholdBytes(500, 20), 107374182400);
        });
    });

    describe("production", () => {
        let s: Stack;
        let rs: Resources;
        before(async () => {
            s = await deploy("production");
            rs = s.rs;
        });

        describe("alarms against the production guide's critical alerts (the Production Deployment Guide)", () => {
            it("pages when more than 1% of requests get a 5xx, counted from the ALB's own and the targets' 5xx over 5 minutes", async () => {
                const a = alarm(rs, primaryRegion, "alb-5xx-share");
                assert.strictEqual(a.name, `saleor-production-${primaryRegion}-alb-5xx-share`);
                assert.strictEqual(a.threshold, 1);
                assert.strictEqual(a.comparisonOperator, "GreaterThanThreshold");
                assert.strictEqual(a.treatMissingData, "notBreaching");
                assert.strictEqual(a.metricName, undefined);
                const queries: any[] = a.metricQueries;
                const returned = queries.filter((q) => q.returnData);
                assert.strictEqual(returned.length, 1);
                assert.strictEqual(returned[0].expression, "IF(total >= 100, 100 * errors / total, 0)");
                const byId = Object.fromEntries(queries.map((q) => [q.id, q]));
                assert.strictEqual(byId.total.expression, "FILL(requests, 0) + FILL(elb5xx, 0)");
                assert.strictEqual(byId.errors.expression, "FILL(target5xx, 0) + FILL(elb5xx, 0)");
                const suffix = await valueOf(s.loadBalancerSuffix[primaryRegion]);
                assert.match(suffix, /^app\/k8s-/);
                for (const [id, metricName] of [
                    ["requests", "RequestCount"],
                    ["target5xx", "HTTPCode_Target_5XX_Count"],
                    ["elb5xx", "HTTPCode_ELB_5XX_Count"],
                ]) {
                    const m = byId[id].metric;
                    assert.deepStrictEqual(
                        [m.namespace, m.metricName, m.stat, m.period],
                        ["AWS/ApplicationELB", metricName, "Sum", 300],
                        id,
                    );
                    assert.deepStrictEqual(m.dimensions, { LoadBalancer: suffix });
                }
            });

            it("judges the error share only from 100 requests per 5 minutes, so 1 failure in 3 night requests does not page", async () => {
                const guarded = alarm(rs, primaryRegion, "alb-5xx-share").metricQueries.find((q: any) => q.returnData).expression;
                assert.match(guarded, /^IF\(total >= 100,/);
                // The guard is an Arg.
                const { rs: quieter } = await registeredAlarms({ thresholds: { minimumRequests: 500 } });
                assert.match(
                    inputs(quieter.ofType(T.alarm).find((a) => a.name.endsWith("alb-5xx-share"))!).metricQueries.find(
                        (q: any) => q.returnData,
                    ).expression,
                    /^IF\(total >= 500,/,
                );
            });

            it("pages when the p95 response time exceeds 1 s, ignoring windows too sparse for a percentile", () => {
                const a = alarm(rs, primaryRegion, "alb-p95-latency");
                assert.deepStrictEqual(
                    [a.namespace, a.metricName, a.extendedStatistic, a.statistic, a.period],
                    ["AWS/ApplicationELB", "TargetResponseTime", "p95", undefined, 300],
                );
                assert.strictEqual(a.threshold, 1);
                assert.strictEqual(a.comparisonOperator, "GreaterThanThreshold");
                assert.strictEqual(a.evaluateLowSampleCountPercentiles, "ignore");
            });

            it("pages when the API target group has no healthy target, whatever the traffic", () => {
                const a = alarm(rs, primaryRegion, "alb-healthy-hosts");
                assert.deepStrictEqual(
                    [a.metricName, a.statistic, a.period, a.comparisonOperator, a.threshold],
                    ["HealthyHostCount", "Minimum", 60, "LessThanThreshold", 1],
                );
                assert.strictEqual(a.dimensions.TargetGroup, "targetgroup/k8s-saleor-api-0a1b2c3d4e/0123456789abcdef");
                assert.strictEqual(a.treatMissingData, "breaching");
                assert.strictEqual(
                    alarmsIn(rs, secondaryRegion).filter((x) => x.name.endsWith("healthy-hosts")).length,
                    0,
                    "no target group given there",
                );
            });

            it("pages above 90% CPU on the writer and on every replica", async () => {
                for (const [role, instance] of [
                    ["writer", s.primary.aws!.writer!],
                    ["replica", s.primary.aws!.reader!],
                ] as const) {
                    const a = alarm(rs, primaryRegion, `postgres-${role}-cpu`);
                    assert.deepStrictEqual(
                        [a.namespace, a.metricName, a.statistic, a.period, a.threshold, a.comparisonOperator],
                        ["AWS/RDS", "CPUUtilization", "Average", 300, 90, "GreaterThanThreshold"],
                        role,
                    );
                    assert.deepStrictEqual(a.dimensions, { DBInstanceIdentifier: await valueOf(instance.identifier) });
                }
                const cross = alarm(rs, secondaryRegion, "postgres-replica-cpu");
                assert.deepStrictEqual(cross.dimensions, { DBInstanceIdentifier: await valueOf(s.secondary.aws!.standby!.identifier) });
            });

            it("pages above 90% of db.m7g.2xlarge's max_connections: more than 3243 of 3604", () => {
                const a = alarm(rs, primaryRegion, "postgres-writer-connections");
                assert.deepStrictEqual(
                    [a.metricName, a.statistic, a.period, a.comparisonOperator],
                    ["DatabaseConnections", "Maximum", 300, "GreaterThanThreshold"],
                );
                assert.strictEqual(a.threshold, 3243);
                assert.match(a.alarmDescription, /3243 connections \(90% of its max_connections of 3604\)/);
            });

            it("pages when less than 20% of the 500 GiB is free, in bytes", () => {
                const a = alarm(rs, primaryRegion, "postgres-writer-free-storage");
                assert.deepStrictEqual(
                    [a.metricName, a.statistic, a.period, a.comparisonOperator],
                    ["FreeStorageSpace", "Minimum", 300, "LessThanThreshold"],
                );
                assert.strictEqual(a.threshold, 107374182400);
            });

            it("watches ReplicaLag on the cross-region replica only, above 300 s, and treats silence as lag", async () => {
                const a = alarm(rs, secondaryRegion, "postgres-replica-lag");
                assert.deepStrictEqual(
                    [a.namespace, a.metricName, a.statistic, a.period, a.threshold, a.comparisonOperator],
                    ["AWS/RDS", "ReplicaLag", "Minimum", 300, 300, "GreaterThanThreshold"],
                );
                assert.strictEqual(a.treatMissingData, "breaching");
                assert.deepStrictEqual(a.dimensions, { DBInstanceIdentifier: await valueOf(s.secondary.aws!.standby!.identifier) });
                assert.strictEqual(
                    alarmsIn(rs, primaryRegion).filter((x) => x.name.includes("lag")).length,
                    0,
                    "the in-region replica has no lag alarm",
                );
            });

            it("pages on Valkey engine CPU above 90% and memory above 80% for every node of the group", async () => {
                const group = await valueOf(s.primary.aws!.cache.replicationGroupId);
                for (const [i, member] of [
                    [1, `${group}-001`],
                    [2, `${group}-002`],
                ] as const) {
                    const cpu = alarm(rs, primaryRegion, `cache-${i}-engine-cpu`);
                    assert.deepStrictEqual(
                        [cpu.namespace, cpu.metricName, cpu.statistic, cpu.period, cpu.threshold],
                        ["AWS/ElastiCache", "EngineCPUUtilization", "Average", 300, 90],
                    );
                    assert.deepStrictEqual(cpu.dimensions, { CacheClusterId: member });
                    const memory = alarm(rs, primaryRegion, `cache-${i}-memory`);
                    assert.deepStrictEqual(
                        [memory.metricName, memory.statistic, memory.period, memory.threshold],
                        ["DatabaseMemoryUsagePercentage", "Maximum", 300, 80],
                    );
                    assert.deepStrictEqual(memory.dimensions, { CacheClusterId: member });
                }
            });

            it("pages when the EKS nodes average above 90% CPU (Container Insights)", () => {
                const a = alarm(rs, primaryRegion, "eks-node-cpu");
                assert.deepStrictEqual(
                    [a.namespace, a.metricName, a.statistic, a.period, a.threshold, a.comparisonOperator],
                    ["ContainerInsights", "node_cpu_utilization", "Average", 300, 90, "GreaterThanThreshold"],
                );
                assert.deepStrictEqual(a.dimensions, { ClusterName: `saleor-production-${primaryRegion}` });
            });

            it("creates exactly the expected alarms per region", () => {
                assert.deepStrictEqual(
                    alarmsIn(rs, primaryRegion)
                        .map((a) => a.name.slice(`${primaryRegion}-alarms-`.length))
                        .sort(),
                    [
                        "alb-5xx-share",
                        "alb-healthy-hosts",
                        "alb-p95-latency",
                        "cache-1-engine-cpu",
                        "cache-1-memory",
                        "cache-2-engine-cpu",
                        "cache-2-memory",
                        "eks-node-cpu",
                        "postgres-replica-connections",
                        "postgres-replica-cpu",
                        "postgres-replica-free-storage",
                        "postgres-writer-connections",
                        "postgres-writer-cpu",
                        "postgres-writer-free-storage",
                    ],
                );
                assert.deepStrictEqual(
                    alarmsIn(rs, secondaryRegion)
                        .map((a) => a.name.slice(`${secondaryRegion}-alarms-`.length))
                        .sort(),
                    [
                        "alb-5xx-share",
                        "alb-p95-latency",
                        "cache-1-engine-cpu",
                        "cache-1-memory",
                        "cache-2-engine-cpu",
                        "cache-2-memory",
                        "eks-node-cpu",
                        "postgres-replica-connections",
                        "postgres-replica-cpu",
                        "postgres-replica-free-storage",
                        "postgres-replica-lag",
                    ],
                );
            });
        });

        describe("every alarm", () => {
            it("notifies its own region's topic when it fires and when it recovers", async () => {
                for (const region of [primaryRegion, secondaryRegion]) {
                    const topicArn = await valueOf(s.topics[region].topicArn);
                    assert.ok(topicArn.startsWith(`arn:aws:sns:${region}:`), topicArn);
                    const alarms = alarmsIn(rs, region);
                    assert.ok(alarms.length > 0);
                    for (const a of alarms) {
                        assert.deepStrictEqual(inputs(a).alarmActions, [topicArn], a.name);
                        assert.deepStrictEqual(inputs(a).okActions, [topicArn], a.name);
                        assert.strictEqual(inputs(a).actionsEnabled, true);
                    }
                }
            });

            it("lives in its region through that region's provider, named saleor-<stack>-<region>-<what>", () => {
                for (const region of [primaryRegion, secondaryRegion]) {
                    for (const a of alarmsIn(rs, region)) {
                        assert.strictEqual(a.provider, providerRef(rs, region), a.name);
                        assert.match(inputs(a).name, new RegExp(`^saleor-production-${region}-[a-z0-9-]+$`));
                    }
                }
            });

            it("says what it means and what to check first, within CloudWatch's 1024 characters", () => {
                for (const a of rs.ofType(T.alarm)) {
                    const d: string = inputs(a).alarmDescription;
                    assert.ok(d.length > 80 && d.length <= 1024, `${a.name}: ${d.length} characters`);
                    assert.match(d, /Check first:/, a.name);
                }
            });

            it("decides how missing data counts, and needs more than one bad datapoint", () => {
                for (const a of rs.ofType(T.alarm)) {
                    assert.ok(["missing", "notBreaching", "breaching"].includes(inputs(a).treatMissingData), a.name);
                    assert.ok(inputs(a).datapointsToAlarm >= 2 && inputs(a).datapointsToAlarm <= inputs(a).evaluationPeriods, a.name);
                }
            });
        });

        describe("dashboards", () => {
            it("graphs, per region, the state of every alarm and the very metrics each alarm watches", async () => {
                for (const region of [primaryRegion, secondaryRegion]) {
                    const dashboard = rs.one(T.dashboard, `${region}-alarms-dashboard`);
                    assert.strictEqual(inputs(dashboard).dashboardName, `saleor-production-${region}`);
                    assert.strictEqual(dashboard.provider, providerRef(rs, region));
                    const widgets: any[] = JSON.parse(inputs(dashboard).dashboardBody).widgets;
                    const alarms = alarmsIn(rs, region);
                    const arns = await Promise.all(Object.values(s.alarms[region].alarms).map((a) => valueOf(a.arn)));
                    assert.deepStrictEqual(widgets[0].properties.alarms, arns);
                    const graphs = widgets.filter((w) => w.type === "metric");
                    assert.strictEqual(graphs.length, alarms.length);
                    for (const g of graphs) assert.strictEqual(g.properties.region, region);
                    const graphed = new Set(
                        graphs.flatMap((g) => g.properties.metrics.map((m: any[]) => m[1])).filter((n) => typeof n === "string"),
                    );
                    const watched = new Set(
                        alarms.flatMap(
                            (a) =>
                                inputs(a).metricName ??
                                inputs(a)
                                    .metricQueries.filter((q: any) => q.metric)
                                    .map((q: any) => q.metric.metricName),
                        ),
                    );
                    assert.deepStrictEqual([...graphed].sort(), [...watched].sort());
                    const lines = graphs.map((g) => g.properties.annotations.horizontal[0].value).sort((x, y) => x - y);
                    assert.deepStrictEqual(
                        lines,
                        alarms.map((a) => inputs(a).threshold).sort((x, y) => x - y),
                    );
                }
            });
        });

        describe("the ALB lookup", () => {
            it("finds each region's controller-made ALB by its Ingress group and cluster tags, through that region's provider", () => {
                const lookups = s.calls.filter((c) => c.token === "aws:lb/getLoadBalancer:getLoadBalancer");
                assert.strictEqual(lookups.length, 2);
                for (const region of [primaryRegion, secondaryRegion]) {
                    const lookup = lookups.find((c) => c.provider === providerRef(rs, region))!;
                    assert.deepStrictEqual(lookup.inputs.tags, {
                        "ingress.k8s.aws/stack": "saleor-production",
                        "elbv2.k8s.aws/cluster": `saleor-production-${region}`,
                    });
                }
            });

            it("leaves the ALB alarms out until the load balancer is given", async () => {
                const { rs: without } = await registeredAlarms({ loadBalancer: undefined });
                const names = without.ofType(T.alarm).map((a) => a.name);
                assert.ok(names.length > 0);
                assert.ok(!names.some((n) => n.includes("alb-")), names.join(", "));
                const body = JSON.parse(inputs(without.ofType(T.dashboard)[0]).dashboardBody);
                assert.ok(!JSON.stringify(body).includes("AWS/ApplicationELB"));
            });
        });

        describe("alert topics", () => {
            it("gives each region its own topic, encrypted with a rotating key CloudWatch may use", async () => {
                for (const region of [primaryRegion, secondaryRegion]) {
                    const topic = rs.one(T.topic, `${region}-alerts-topic`);
                    assert.strictEqual(topic.provider, providerRef(rs, region));
                    assert.strictEqual(inputs(topic).name, `saleor-production-${region}-alerts`);
                    const key = rs.one(T.key, `${region}-alerts-key`);
                    assert.strictEqual(inputs(topic).kmsMasterKeyId, await valueOf(s.topics[region].key.arn));
                    assert.notStrictEqual(inputs(topic).kmsMasterKeyId, "alias/aws/sns", "CloudWatch cannot use the AWS-managed key");
                    assert.strictEqual(inputs(key).enableKeyRotation, true);
                    const statements: any[] = JSON.parse(inputs(key).policy).Statement;
                    const cloudwatch = statements.find((x) => x.Principal?.Service === "cloudwatch.amazonaws.com")!;
                    assert.deepStrictEqual(cloudwatch.Action, ["kms:Decrypt", "kms:GenerateDataKey*"]);
                    assert.ok(
                        statements.some((x) => x.Principal?.AWS === "arn:aws:iam::123456789012:root" && x.Action === "kms:*"),
                        "the account keeps administering the key",
                    );
                }
            });

            it("lets only this account's alarms in the topic's region publish, over TLS", () => {
                const policy = JSON.parse(inputs(rs.one(T.topicPolicy, `${secondaryRegion}-alerts-topic`)).policy);
                const publish = policy.Statement.find((x: any) => x.Sid === "CloudWatchAlarmsPublish");
                assert.strictEqual(publish.Principal.Service, "cloudwatch.amazonaws.com");
                assert.strictEqual(
                    publish.Condition.ArnLike["aws:SourceArn"],
                    `arn:aws:cloudwatch:${secondaryRegion}:123456789012:alarm:*`,
                );
                assert.ok(policy.Statement.some((x: any) => x.Effect === "Deny" && x.Condition?.Bool?.["aws:SecureTransport"] === "false"));
            });

            it("subscribes the same people in every region; webhook URLs stay secret and out of resource names", () => {
                for (const region of [primaryRegion, secondaryRegion]) {
                    const subs = rs.ofType(T.subscription).filter((x) => x.name.startsWith(`${region}-alerts-`));
                    const email = subs.filter((x) => inputs(x).protocol === "email");
                    assert.deepStrictEqual(email.map((x) => inputs(x).endpoint).sort(), subscriptions.email);
                    for (const x of email) assert.ok(!isSecret(inputs(x).endpoint));
                    const https = subs.filter((x) => inputs(x).protocol === "https");
                    assert.strictEqual(https.length, 1);
                    assert.ok(isSecret(inputs(https[0]).endpoint), "the pager URL carries a token");
                    assert.strictEqual(reveal(inputs(https[0]).endpoint), subscriptions.https[0]);
                    assert.strictEqual(inputs(https[0]).endpointAutoConfirms, true);
                    for (const x of subs) assert.ok(!x.urn.includes("SECRET-TOKEN") && !x.urn.includes("pagerduty"), x.urn);
                }
            });

            it("refuses malformed subscriptions without echoing a webhook URL", async () => {
                await assert.rejects(
                    registered(
                        () =>
                            new AlertTopic("bad", {
                                region: primaryRegion,
                                subscriptions: { email: ["not-an-address"], https: ["http://hooks.example.com/SECRET-TOKEN"] },
                            }),
                    ),
                    (e: Error) =>
                        /"not-an-address" is not an email address/.test(e.message) &&
                        /https\[0\] is not an https:\/\/ URL/.test(e.message) &&
                        !e.message.includes("SECRET-TOKEN"),
                );
            });
        });

        describe("AWS Backup failures", () => {
            const rulesIn = (region: string) => rs.ofType(T.eventRule).filter((r) => r.name.startsWith(`${region}-alerts-`));
            const statements = (record: RecordedResource): any[] => JSON.parse(inputs(record).policy).Statement;

            it("watches aws.backup for backup jobs that fail, are aborted or expire, and for copy jobs that fail, in every region", () => {
                for (const region of [primaryRegion, secondaryRegion]) {
                    assert.deepStrictEqual(
                        rulesIn(region)
                            .map((r) => r.name)
                            .sort(),
                        [
                            `${region}-alerts-backup-copy-failed`,
                            `${region}-alerts-backup-job-failed`,
                            `${region}-alerts-restore-test-failed`,
                        ],
                    );
                    const job = rs.one(T.eventRule, `${region}-alerts-backup-job-failed`);
                    assert.deepStrictEqual(JSON.parse(inputs(job).eventPattern), {
                        source: ["aws.backup"],
                        "detail-type": ["Backup Job State Change"],
                        detail: { state: ["FAILED", "ABORTED", "EXPIRED"] },
                    });
                    assert.strictEqual(inputs(job).name, `saleor-production-${region}-backup-job-failed`);
                    const copy = rs.one(T.eventRule, `${region}-alerts-backup-copy-failed`);
                    assert.deepStrictEqual(JSON.parse(inputs(copy).eventPattern), {
                        source: ["aws.backup"],
                        "detail-type": ["Copy Job State Change"],
                        detail: { state: ["FAILED"] },
                    });
                    for (const rule of [job, copy]) {
                        assert.strictEqual(rule.provider, providerRef(rs, region), rule.name);
                        assert.strictEqual(inputs(rule).eventBusName, undefined, "AWS services send their events to the default bus");
                    }
                }
            });

            it("sends each failure to its own region's topic, once the topic policy admits it", async () => {
                for (const region of [primaryRegion, secondaryRegion]) {
                    const topicArn = await valueOf(s.topics[region].topicArn);
                    const policy = rs.one(T.topicPolicy, `${region}-alerts-topic`);
                    for (const what of ["backup-job-failed", "backup-copy-failed", "restore-test-failed"]) {
                        const target = rs.one(T.eventTarget, `${region}-alerts-${what}`);
                        assert.strictEqual(inputs(target).arn, topicArn, target.name);
                        assert.strictEqual(inputs(target).rule, `saleor-production-${region}-${what}`);
                        assert.strictEqual(inputs(target).roleArn, undefined, "SNS targets publish through the topic policy, not a role");
                        assert.strictEqual(target.provider, providerRef(rs, region));
                        assert.ok(target.dependencies.includes(policy.urn), `${target.name} waits for the topic policy`);
                    }
                }
            });

            it("says in plain words which job failed, on what, in which state and region, and what to check first", () => {
                const job = inputs(rs.one(T.eventTarget, `${primaryRegion}-alerts-backup-job-failed`)).inputTransformer;
                const jobText = transformed(job, backupJobFailedEvent);
                assert.strictEqual(
                    jobText,
                    transformed(
                        {
                            inputPaths: backupJobFailureMessages["backup-job-failed"].paths,
                            inputTemplate: backupJobFailureMessages["backup-job-failed"].template,
                        },
                        backupJobFailedEvent,
                    ),
                );
                for (const part of [
                    "34176239-e96d-4e1d-9fad-529dbb3c3556",
                    `arn:aws:rds:${primaryRegion}:123456789012:db:saleor-writer`,
                    "ended FAILED",
                    `in ${primaryRegion}`,
                    `${primaryRegion}-backups`,
                    "Check first:",
                    `aws backup describe-backup-job --region ${primaryRegion} --backup-job-id 34176239-e96d-4e1d-9fad-529dbb3c3556`,
                ]) {
                    assert.ok(jobText.includes(part), `"${part}" in: ${jobText}`);
                }
                const copy = inputs(rs.one(T.eventTarget, `${primaryRegion}-alerts-backup-copy-failed`)).inputTransformer;
                const copyText = transformed(copy, copyJobFailedEvent);
                for (const part of [
                    "copy job 47C8EF56-74D8-059D-1301-C5BE1D5C926E",
                    "ended FAILED",
                    copyJobFailedEvent.detail.resourceArn,
                    copyJobFailedEvent.detail.sourceBackupVaultArn,
                    copyJobFailedEvent.detail.destinationBackupVaultArn,
                    `aws backup describe-copy-job --region ${primaryRegion} --copy-job-id 47C8EF56-74D8-059D-1301-C5BE1D5C926E`,
                ]) {
                    assert.ok(copyText.includes(part), `"${part}" in: ${copyText}`);
                }
                for (const text of [jobText, copyText]) {
                    assert.ok(!/<[a-z]+>/.test(text), `every placeholder is filled: ${text}`);
                    assert.ok(
                        !text.includes("Access denied") && !text.includes("does not exist"),
                        "the unescaped free-text statusMessage stays out of the template",
                    );
                }
            });

            it("admits to the topic only its own three rules from EventBridge, beside CloudWatch's alarms", async () => {
                for (const region of [primaryRegion, secondaryRegion]) {
                    const policy = rs.one(T.topicPolicy, `${region}-alerts-topic`);
                    const fromEvents = statements(policy).filter((x) => x.Principal?.Service === "events.amazonaws.com");
                    assert.strictEqual(fromEvents.length, 1);
                    const [publish] = fromEvents;
                    assert.deepStrictEqual(
                        [publish.Effect, publish.Action, publish.Resource],
                        ["Allow", "sns:Publish", await valueOf(s.topics[region].topicArn)],
                    );
                    const ruleArns = await Promise.all(Object.values(s.topics[region].backupJobFailureRules).map((r) => valueOf(r.arn)));
                    assert.strictEqual(ruleArns.length, 3);
                    assert.deepStrictEqual(publish.Condition, { ArnEquals: { "aws:SourceArn": ruleArns } });
                    assert.ok(
                        ruleArns.every((arn) => arn.includes(`:${region}:`)),
                        "this region's rules only",
                    );
                    assert.ok(
                        statements(policy).some(
                            (x) => x.Sid === "CloudWatchAlarmsPublish" && x.Principal.Service === "cloudwatch.amazonaws.com",
                        ),
                        "alarms still publish",
                    );
                    assert.ok(
                        statements(policy).some((x) => x.Effect === "Deny" && x.Condition?.Bool?.["aws:SecureTransport"] === "false"),
                    );
                    assert.strictEqual(
                        rs.ofType(T.topicPolicy).filter((p) => p.name.startsWith(`${region}-`)).length,
                        1,
                        "one policy per topic: a second would replace the first",
                    );
                }
            });

            it("lets EventBridge encrypt messages with the topic's key, as CloudWatch does", () => {
                for (const region of [primaryRegion, secondaryRegion]) {
                    const key = statements(rs.one(T.key, `${region}-alerts-key`));
                    const events = key.filter((x) => x.Principal?.Service === "events.amazonaws.com");
                    assert.strictEqual(events.length, 1);
                    assert.deepStrictEqual(
                        [events[0].Effect, events[0].Action, events[0].Resource],
                        ["Allow", ["kms:Decrypt", "kms:GenerateDataKey*"], "*"],
                    );
                    assert.ok(
                        key.some((x) => x.Principal?.Service === "cloudwatch.amazonaws.com"),
                        "CloudWatch keeps its grant",
                    );
                }
            });

            it("keeps EventBridge rule names within 64 characters, and distinct, whatever the stack's name", async () => {
                const long = await registered(() => {
                    const provider = new aws.Provider(primaryRegion, { region: primaryRegion });
                    new AlertTopic(
                        "long",
                        { region: primaryRegion, subscriptions: { email: ["oncall@example.com"] }, backupJobFailures: true },
                        { providers: [provider] },
                    );
                }, "staging-for-the-long-name-test");
                const names = long.ofType(T.eventRule).map((r) => String((r.inputs as Record<string, unknown>).name));
                assert.equal(names.length, 3);
                assert.ok(
                    names.every((n) => n.length <= 64 && /^[.\-_A-Za-z0-9]+$/.test(n)),
                    names.join(", "),
                );
                assert.equal(new Set(names).size, names.length);
            });

            it("builds nothing for EventBridge unless asked: no rule, no target, no grant", async () => {
                const plain = await registered(() => {
                    const provider = new aws.Provider(primaryRegion, { region: primaryRegion });
                    new AlertTopic(
                        "plain",
                        { region: primaryRegion, subscriptions: { email: ["oncall@example.com"] } },
                        { providers: [provider] },
                    );
                });
                assert.strictEqual(plain.ofType(T.eventRule).length, 0);
                assert.strictEqual(plain.ofType(T.eventTarget).length, 0);
                for (const record of [plain.one(T.topicPolicy, "plain-topic"), plain.one(T.key, "plain-key")]) {
                    assert.ok(!statements(record).some((x) => x.Principal?.Service === "events.amazonaws.com"), record.name);
                }
            });
        });

        describe("backups and their disaster-recovery copy", () => {
            it("keeps a protected vault in each region, through that region's provider, with a key of that region", async () => {
                for (const region of [primaryRegion, secondaryRegion]) {
                    const vault = rs.one(T.vault, `${region}-backups`);
                    assert.strictEqual(vault.provider, providerRef(rs, region));
                    const key = await valueOf(s.vaults[region].key.arn);
                    assert.ok(key.includes(`:${region}:`), key);
                    assert.strictEqual(inputs(vault).kmsKeyArn, key);
                    assert.strictEqual(vault.protect, true);
                    assert.strictEqual(rs.one(T.key, `${region}-backups-key`).protect, true);
                    assert.strictEqual(inputs(rs.one(T.key, `${region}-backups-key`)).enableKeyRotation, true);
                    assert.match(await valueOf(s.vaults[region].arn), new RegExp(`^arn:aws:backup:${region}:`));
                }
            });

            it("runs every 6 hours into its own region's vault, keeps 30 days, and copies each recovery point to the secondary's vault for 30 days", async () => {
                const planRecord = rs.one(T.plan, `${primaryRegion}-data-backups`);
                const [rule] = inputs(planRecord).rules;
                assert.strictEqual(rule.schedule, "cron(0 */6 * * ? *)");
                assert.deepStrictEqual(rule.lifecycle, { deleteAfter: 30 });
                assert.strictEqual(rule.targetVaultName, await valueOf(s.vaults[primaryRegion].vaultName));
                assert.deepStrictEqual(rule.copyActions, [
                    { destinationVaultArn: await valueOf(s.vaults[secondaryRegion].arn), lifecycle: { deleteAfter: 30 } },
                ]);
                assert.ok(
                    planRecord.dependencies.includes(rs.one(T.vault, `${secondaryRegion}-backups`).urn),
                    "the plan waits for the destination vault",
                );
                assert.strictEqual(planRecord.provider, providerRef(rs, primaryRegion));
            });

            it("backs up the media bucket with the writer, once its versioning is on, with the S3 backup policies", async () => {
                const selection = rs.one(T.selection, `${primaryRegion}-data-backups`);
                assert.ok(inputs(selection).resources.includes(await valueOf(s.primary.aws!.mediaBucket!.arn)));
                assert.ok(inputs(selection).resources.includes(await valueOf(s.primary.aws!.writer!.arn)));
                const versioning = rs
                    .ofType(T.versioning)
                    .find((v) => inputs(v).bucket === inputs(selection).resources[1].split(":::")[1])!;
                assert.ok(selection.dependencies.includes(versioning.urn));
                const role = inputs(selection).iamRoleArn.split("/").pop();
                const policies = rs
                    .ofType(T.attachment)
                    .filter((x) => inputs(x).role === role)
                    .map((x) => inputs(x).policyArn)
                    .sort();
                assert.deepStrictEqual(policies, [
                    "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
                    "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
                    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
                    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
                ]);
            });

            it("keeps RDS point-in-time recovery on for the writer and for the standby that would be promoted", () => {
                const writer = inputs(rs.one(T.instance, `${primaryRegion}-data-postgres-writer`));
                assert.ok(writer.backupRetentionPeriod > 0);
                assert.strictEqual(writer.backupRetentionPeriod, 30);
                assert.ok(inputs(rs.one(T.instance, `${secondaryRegion}-data-postgres-standby`)).backupRetentionPeriod > 0);
            });
        });

        it("parents every resource to its component", () => {
            const components = new Map(rs.all.filter((r) => !r.custom).map((r) => [r.urn, r]));
            const ours = rs.all.filter(
                (x) =>
                    !x.type.startsWith("saleor:") &&
                    // The restore tests' validation and daily audit (their rules and log) belong to the data tier beside the tests.
                    !x.name.endsWith("-restore-validation") &&
                    !x.name.endsWith("-restore-audit") &&
                    (/^aws:(cloudwatch|sns)/.test(x.type) ||
                        x.name.includes("-alerts-") ||
                        (/^[a-z0-9-]+-backups(-key)?$/.test(x.name) && !x.name.includes("-data-"))),
            );
            assert.ok(ours.length >= 25 + 2 * 7 + 2, `found ${ours.length}`);
            for (const r of ours) {
                const parent = components.get(r.parent);
                assert.ok(
                    parent &&
                        ["saleor:components:AlertTopic", "saleor:components:RegionalAlarms", "saleor:components:BackupVault"].includes(
                            parent.type,
                        ),
                    `${r.type} ${r.name}`,
                );
            }
        });
    });

    describe("staging", () => {
        it("copies nothing without drBackupCopy, and still backs up every 6 hours with point-in-time recovery on", async () => {
            const { rs } = await deploy("staging", { copy: false });
            const [rule] = inputs(rs.one(T.plan, `${primaryRegion}-data-backups`)).rules;
            assert.strictEqual(rule.copyActions, undefined);
            assert.strictEqual(rule.schedule, "cron(0 */6 * * ? *)");
            assert.ok(inputs(rs.one(T.instance, `${primaryRegion}-data-postgres-writer`)).backupRetentionPeriod > 0);
        });

        it("scales the connection and storage thresholds to db.t4g.large and 50 GiB", async () => {
            const { rs } = await deploy("staging", { copy: false });
            assert.strictEqual(alarm(rs, primaryRegion, "postgres-writer-connections").threshold, 810);
            assert.strictEqual(alarm(rs, primaryRegion, "postgres-writer-free-storage").threshold, 10 * GiB);
            assert.deepStrictEqual(
                alarmsIn(rs, primaryRegion)
                    .filter((a) => a.name.includes("cache-"))
                    .map((a) => a.name)
                    .sort(),
                [`${primaryRegion}-alarms-cache-1-engine-cpu`, `${primaryRegion}-alarms-cache-1-memory`],
            );
        });
    });

    describe("arguments", () => {
        it("takes max_connections as given for a class outside the table, and refuses one without it", async () => {
            const db = { identifier: "db-1", instanceClass: "db.x2g.large", allocatedStorageGiB: 100 };
            await assert.rejects(
                registeredAlarms({ database: { writer: db, replicas: [] } }),
                /"db\.x2g\.large" is not in the memory table/,
            );
            const { rs } = await registeredAlarms({ database: { writer: { ...db, maxConnections: 2000 }, replicas: [] } });
            assert.strictEqual(inputs(rs.ofType(T.alarm).find((a) => a.name.endsWith("postgres-writer-connections"))!).threshold, 1800);
        });

        it("refuses thresholds that are not percentages and a cache without nodes", async () => {
            await assert.rejects(registeredAlarms({ thresholds: { databaseCpuPercent: 150 } }), /thresholds\.databaseCpuPercent: 150/);
            await assert.rejects(registeredAlarms({ cache: { replicationGroupId: "g" } }), /cache: give memberClusterIds or nodes/);
        });

        it("uses the member cluster ids when given", async () => {
            const { rs } = await registeredAlarms({ cache: { replicationGroupId: "g", memberClusterIds: ["g-a", "g-b", "g-c"] } });
            const ids = rs
                .ofType(T.alarm)
                .filter((a) => a.name.includes("engine-cpu"))
                .map((a) => (a.inputs as any).dimensions.CacheClusterId);
            assert.deepStrictEqual(ids, ["g-a", "g-b", "g-c"]);
        });
    });

    describe("Sentry and OpenTelemetry environment", () => {
        it("names the variables as saleor/settings.py reads them and keeps the DSN secret", async () => {
            const env = observabilityEnv({
                sentryDsn: "https://key@o1.ingest.sentry.io/1",
                otlpEndpoint: "http://otel-collector.observability:4317",
                serviceName: "saleor-api",
            });
            assert.deepStrictEqual(env.config, {
                OTEL_SERVICE_NAME: "saleor-api",
                OTEL_TRACES_EXPORTER: "otlp",
                OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector.observability:4317",
            });
            assert.deepStrictEqual(Object.keys(env.secret), ["SENTRY_DSN"]);
            await registered(async () => {
                assert.strictEqual(await pulumi.isSecret(pulumi.output(env.secret.SENTRY_DSN)), true);
            });
        });

        it("exports no traces without an endpoint and no DSN without one", () => {
            assert.deepStrictEqual(observabilityEnv({ serviceName: "saleor-worker" }), { config: {}, secret: {} });
            assert.throws(() => observabilityEnv({ serviceName: "saleor-api", otlpEndpoint: "otel:4317" }), /must be an http/);
        });
    });

    describe("Container Insights add-on", () => {
        const clusterArgs: AwsClusterArgs = {
            region: primaryRegion,
            kubernetesVersion: "1.34",
            vpcCidr: "10.10.0.0/16",
            natGateways: "single",
            deployRoleArn,
            permissionsBoundaryArn: permissionsBoundaryArnOf("test"),
            addonVersions: eksAddonVersions["1.34"],
            nodeGroups: [{ name: "general", instanceTypes: ["m7i.xlarge"], minSize: 2, desiredSize: 3, maxSize: 6, diskSizeGiB: 80 }],
        };
        const cluster = (containerInsights?: boolean) =>
            registered(() => {
                const provider = new aws.Provider(primaryRegion, { region: primaryRegion });
                new RegionalCluster(
                    primaryRegion,
                    { namespace: "saleor", aws: { ...clusterArgs, containerInsights } },
                    { providers: [provider] },
                );
            });

        it("installs amazon-cloudwatch-observability after the nodes, metrics only, with its agent's role bound through Pod Identity", async () => {
            const rs = await cluster(true);
            const addon = rs.ofType("aws:eks/addon:Addon").find((a) => inputs(a).addonName === "amazon-cloudwatch-observability")!;
            assert.deepStrictEqual(JSON.parse(inputs(addon).configurationValues), { containerLogs: { enabled: false } });
            const [group] = rs.ofType("aws:eks/nodeGroup:NodeGroup");
            assert.ok(addon.dependencies.includes(group.urn));
            const association = rs
                .ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation")
                .find((a) => inputs(a).serviceAccount === "cloudwatch-agent")!;
            assert.strictEqual(inputs(association).namespace, "amazon-cloudwatch");
            assert.ok(addon.dependencies.includes(association.urn));
            const role = rs.ofType("aws:iam/role:Role").find((r) => inputs(association).roleArn.endsWith(`/${r.id}`))!;
            assert.deepStrictEqual(
                rs
                    .ofType(T.attachment)
                    .filter((a) => inputs(a).role === role.id)
                    .map((a) => inputs(a).policyArn),
                ["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"],
            );
        });

        it("is off unless asked for", async () => {
            const rs = await cluster();
            assert.ok(!rs.ofType("aws:eks/addon:Addon").some((a) => inputs(a).addonName === "amazon-cloudwatch-observability"));
        });
    });
});

/** One RegionalAlarms with fixed facts and `overrides`, for argument tests. */
async function registeredAlarms(overrides: Partial<RegionalAlarmsArgs>): Promise<{ rs: Resources }> {
    const rs = await registered(() => {
        const provider = new aws.Provider(primaryRegion, { region: primaryRegion });
        new RegionalAlarms(
            "r",
            {
                region: primaryRegion,
                topicArn: `arn:aws:sns:${primaryRegion}:123456789012:alerts`,
                loadBalancer: { arnSuffix: "app/k8s-saleor-0123/abcdef" },
                database: { writer: { identifier: "db-1", instanceClass: "db.m7g.2xlarge", allocatedStorageGiB: 500 }, replicas: [] },
                cache: { replicationGroupId: "g", nodes: 1 },
                clusterName: "c",
                ...overrides,
            },
            { providers: [provider] },
        );
    });
    return { rs };
}
