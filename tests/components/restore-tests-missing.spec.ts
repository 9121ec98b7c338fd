import assert from "node:assert/strict";
import { registeredRestoreTesting } from "../support/restore-testing";
import * as vm from "node:vm";
import { RESTORE_VALIDATION_HANDLER } from "../../components/data/aws/restore-validation";
import { Resources } from "../support/harness";
import { evaluated } from "../support/plans";

// A weekly restore test that never runs (a deleted selection, a plan that stopped, a role that lost
// its permissions) reports no failure. A daily audit in the validation function counts the restore
// tests validated in the last 8 days and publishes the count; an alarm fires when it stays 0.

const PLAN_ARN = "arn:aws:backup:eu-central-1:123456789012:restore-testing-plan:saleor_production_eu_central_1_data_restore_tests-abc";

/** Runs the handler's audit against fake SDK clients; `pages` are ListRestoreJobs' answers in order. */
async function audit(pages: { RestoreJobs: { ValidationStatus?: string; Status?: string }[]; NextToken?: string }[]) {
    const sent: { command: string; input: any }[] = [];
    const command = (name: string) =>
        class {
            readonly name = name;
            constructor(readonly input: unknown) {}
        };
    let page = 0;
    const client = (answer: (c: { name: string; input: any }) => unknown) =>
        class {
            async send(c: { name: string; input: any }) {
                sent.push({ command: c.name, input: c.input });
                return answer(c);
            }
        };
    const modules: Record<string, unknown> = {
        "@aws-sdk/client-backup": {
            BackupClient: client((c) => (c.name === "ListRestoreJobs" ? pages[page++] : {})),
            DescribeRestoreJobCommand: command("DescribeRestoreJob"),
            PutRestoreValidationResultCommand: command("PutRestoreValidationResult"),
            ListRestoreJobsCommand: command("ListRestoreJobs"),
        },
        "@aws-sdk/client-rds": { RDSClient: client(() => ({})), DescribeDBInstancesCommand: command("DescribeDBInstances") },
        "@aws-sdk/client-cloudwatch": { CloudWatchClient: client(() => ({})), PutMetricDataCommand: command("PutMetricData") },
    };
    const module = { exports: {} as { handler: (event: unknown) => Promise<unknown> } };
    vm.runInNewContext(RESTORE_VALIDATION_HANDLER, {
        module,
        exports: module.exports,
        require: (id: string) => modules[id],
        process: { env: { RESTORE_TESTING_PLAN_ARN: PLAN_ARN, RESTORE_TESTING_PLAN_NAME: "saleor_plan" } },
        Date,
    });
    const result = await module.exports.handler({ audit: true });
    return { sent, result };
}

describe("a restore test that never ran raises an alarm", () => {
    it("the daily audit counts the database restore tests of the plan validated in the last 8 days, every page, and publishes the count", async () => {
        const before = Date.now();
        const { sent } = await audit([
            { RestoreJobs: [{ ValidationStatus: "FAILED" }, { ValidationStatus: "SUCCESSFUL" }], NextToken: "t1" },
            { RestoreJobs: [{ ValidationStatus: "SUCCESSFUL" }, { Status: "RUNNING" }] },
        ]);
        const lists = sent.filter((s) => s.command === "ListRestoreJobs");
        assert.equal(lists.length, 2);
        assert.equal(lists[0].input.ByRestoreTestingPlanArn, PLAN_ARN);
        assert.equal(lists[0].input.ByResourceType, "RDS");
        const since = (lists[0].input.ByCreatedAfter as Date).getTime();
        assert.ok(Math.abs(before - since - 8 * 86_400_000) < 60_000, "8 days back");
        assert.equal(lists[1].input.NextToken, "t1");
        const [put] = sent.filter((s) => s.command === "PutMetricData");
        assert.deepEqual(JSON.parse(JSON.stringify(put.input)), {
            Namespace: "Saleor/RestoreTests",
            MetricData: [
                {
                    MetricName: "ValidatedRestoreTests",
                    Dimensions: [{ Name: "RestoreTestingPlan", Value: "saleor_plan" }],
                    Value: 2,
                    Unit: "Count",
                },
            ],
        });
    });

    it("publishes 0 when no restore test was validated", async () => {
        const { sent } = await audit([{ RestoreJobs: [] }]);
        assert.equal(sent.find((s) => s.command === "PutMetricData")!.input.MetricData[0].Value, 0);
    });

    it("runs the audit daily from a schedule, and the function may list restore jobs and publish only its own namespace", async () => {
        const res = await registeredRestoreTesting("production");
        const schedule = res.ofType("aws:cloudwatch/eventRule:EventRule").find((r) => (r.inputs as any).scheduleExpression);
        assert.equal((schedule!.inputs as any).scheduleExpression, "rate(1 day)");
        const target = res.ofType("aws:cloudwatch/eventTarget:EventTarget").find((t) => (t.inputs as any).input);
        assert.deepEqual(JSON.parse((target!.inputs as any).input), { audit: true });
        const permissions = res.ofType("aws:lambda/permission:Permission");
        assert.equal(permissions.length, 2, "each rule may invoke the function, through its own permission");
        const [fn] = res.ofType("aws:lambda/function:Function");
        assert.deepEqual(Object.keys((fn.inputs as any).environment.variables).sort(), [
            "RESTORE_TESTING_PLAN_ARN",
            "RESTORE_TESTING_PLAN_NAME",
        ]);
        const statements = res.ofType("aws:iam/rolePolicy:RolePolicy").flatMap((p) => JSON.parse((p.inputs as any).policy).Statement);
        const put = statements.find((s: any) => [s.Action].flat().includes("cloudwatch:PutMetricData"));
        assert.deepEqual(put.Condition, { StringEquals: { "cloudwatch:namespace": "Saleor/RestoreTests" } });
        assert.ok(statements.some((s: any) => [s.Action].flat().includes("backup:ListRestoreJobs")));
    });

    it("production: the primary region alarms when no restore test was validated on two daily audits in a row, or the audit stops", async () => {
        const res = new Resources((await evaluated("production")).resources);
        const alarm = res.one("aws:cloudwatch/metricAlarm:MetricAlarm", "eu-central-1-alarms-restore-tests-missing");
        const a = alarm.inputs as any;
        assert.equal(a.name, "saleor-production-eu-central-1-restore-tests-missing");
        assert.equal(a.namespace, "Saleor/RestoreTests");
        assert.equal(a.metricName, "ValidatedRestoreTests");
        const plan = res.ofType("aws:backup/restoreTestingPlan:RestoreTestingPlan").find((p) => p.name.startsWith("eu-central-1"))!;
        assert.deepEqual(a.dimensions, { RestoreTestingPlan: (plan.inputs as any).name });
        assert.equal(a.period, 86_400);
        assert.equal(a.comparisonOperator, "LessThanThreshold");
        assert.equal(a.threshold, 1);
        assert.equal(a.evaluationPeriods, 2);
        assert.equal(a.datapointsToAlarm, 2);
        assert.equal(a.treatMissingData, "breaching", "an audit that stopped running is a failure too");
        assert.equal(
            res.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((x) => x.name === "eu-west-1-alarms-restore-tests-missing").length,
            0,
            "the secondary has no writer and runs no restore test",
        );
    });
});
