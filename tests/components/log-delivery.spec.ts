import assert from "node:assert/strict";
import { RegionalLogs } from "../../components/logs";
import { registered, type RecordedResource } from "../support/harness";
import { evaluated } from "../support/plans";

// Logs that stop arriving page someone: VPC flow logs, WAF logs and ALB access logs each land under
// their own prefix of a region's log buckets, S3 request metrics count the PUTs under each prefix, and
// an alarm per log fires when none arrived for two hours, notifying the region's alert topic.

const inputs = (r: RecordedResource) => r.inputs as any;
const METRIC = "aws:s3/bucketMetric:BucketMetric";

describe("log delivery alarms", () => {
    it("counts the PUTs of each delivered log under its own prefix: S3 request metrics per log bucket prefix", async () => {
        const res = await registered(() => new RegionalLogs("eu-west-1-logs", { region: "eu-west-1" }));
        const metrics = res.ofType(METRIC).map((m) => ({ name: inputs(m).name, prefix: inputs(m).filter?.prefix, parent: m.name }));
        assert.deepEqual(metrics.map(({ name, prefix }) => `${name} ${prefix}`).sort(), [
            "alb-access-logs alb/",
            "vpc-flow-logs vpc-flow-logs/",
            "waf-logs AWSLogs/",
        ]);
        // Each filter sits on the bucket its service writes to.
        const access = inputs(res.one("aws:s3/bucket:Bucket", "eu-west-1-logs-access")).bucket;
        const delivered = inputs(res.one("aws:s3/bucket:Bucket", "eu-west-1-logs-delivered")).bucket;
        const on = (name: string) => inputs(res.ofType(METRIC).find((m) => inputs(m).name === name)!).bucket;
        assert.equal(on("alb-access-logs"), access);
        assert.equal(on("waf-logs"), delivered);
        assert.equal(on("vpc-flow-logs"), delivered);
    });

    it("alarms in every AWS region of production and staging when a log stops arriving, to that region's topic", async () => {
        for (const stack of ["production", "staging"]) {
            const states = (await evaluated(stack)).resources.map((r) => ({
                urn: r.urn,
                type: r.type,
                inputs: r.inputs as Record<string, any>,
            }));
            const filters = states.filter((s) => s.type === METRIC);
            const topics = states.filter((s) => s.type === "aws:sns/topic:Topic");
            const alarms = states.filter(
                (s) => s.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && /-log-delivery$/.test(s.inputs.name),
            );
            const regions = [...new Set(filters.map((f) => /::([a-z0-9-]+)-logs-/.exec(f.urn)![1]))].sort();
            assert.deepEqual(regions, ["eu-central-1", "eu-west-1"], `${stack}: both regions have the filters`);
            for (const region of regions) {
                const mine = alarms.filter((a) => a.inputs.name.startsWith(`saleor-${stack}-${region}-`));
                assert.deepEqual(
                    mine.map((a) => a.inputs.name.slice(`saleor-${stack}-${region}-`.length)).sort(),
                    ["alb-access-logs-log-delivery", "vpc-flow-logs-log-delivery", "waf-logs-log-delivery"],
                    `${stack} ${region}`,
                );
                for (const a of mine) {
                    const i = a.inputs;
                    // S3 request metrics: namespace AWS/S3, PutRequests (Sum), dimensions BucketName and FilterId.
                    assert.equal(i.namespace, "AWS/S3");
                    assert.equal(i.metricName, "PutRequests");
                    assert.equal(i.statistic, "Sum");
                    const filter = filters.find(
                        (f) => f.inputs.name === i.dimensions.FilterId && f.inputs.bucket === i.dimensions.BucketName,
                    );
                    assert.ok(
                        filter && filter.urn.includes(`::${region}-logs-`),
                        `${i.name}: watches a filter of its own region's buckets`,
                    );
                    // No PUT in an hour publishes no datapoint: silence is the failure.
                    assert.equal(i.comparisonOperator, "LessThanThreshold");
                    assert.equal(i.threshold, 1);
                    assert.equal(i.treatMissingData, "breaching");
                    assert.equal(i.period, 3600);
                    assert.equal(i.evaluationPeriods, 2);
                    assert.equal(i.datapointsToAlarm, 2);
                    // The region's own alert topic (AlertTopic `<region>-alerts`), when it fires and when it recovers.
                    assert.ok(
                        topics.some((t) => t.urn.endsWith(`::${region}-alerts-topic`)),
                        `${region}: a topic`,
                    );
                    assert.deepEqual(i.alarmActions, [`arn:aws:sns:${region}:123456789012:saleor-${stack}-${region}-alerts`]);
                    assert.deepEqual(i.okActions, i.alarmActions);
                    assert.match(i.alarmDescription, /Check first:/);
                }
            }
        }
    });
});
