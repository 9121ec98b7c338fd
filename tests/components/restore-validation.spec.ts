import assert from "node:assert/strict";
import { registeredRestoreTesting } from "../support/restore-testing";
import * as vm from "node:vm";
import { RESTORE_VALIDATION_HANDLER } from "../../components/data/aws/restore-validation";

// The restore test's validation: a Lambda, run by EventBridge when a restore job completes, that
// reports to AWS Backup (PutRestoreValidationResult) whether the restored database is `available`.
// The handler's source runs here against fake AWS SDK clients.

interface Job {
    Status: string;
    ResourceType: string;
    CreatedResourceArn?: string;
    CreatedBy?: { RestoreTestingPlanArn?: string };
}

/** Runs the handler for one restore job; `statuses` are what DescribeDBInstances answers, one per call. */
async function validate(job: Job, statuses: (string | Error)[]) {
    const sent: { command: string; input: any }[] = [];
    const command = (name: string) =>
        class {
            readonly name = name;
            constructor(readonly input: unknown) {}
        };
    let rdsCalls = 0;
    const client = (answer: (c: { name: string; input: any }) => unknown) =>
        class {
            async send(c: { name: string; input: any }) {
                sent.push({ command: c.name, input: JSON.parse(JSON.stringify(c.input)) });
                return answer(c);
            }
        };
    const modules: Record<string, unknown> = {
        "@aws-sdk/client-backup": {
            BackupClient: client((c) => (c.name === "DescribeRestoreJob" ? job : {})),
            DescribeRestoreJobCommand: command("DescribeRestoreJob"),
            PutRestoreValidationResultCommand: command("PutRestoreValidationResult"),
        },
        "@aws-sdk/client-rds": {
            RDSClient: client(() => {
                const s = statuses[Math.min(rdsCalls++, statuses.length - 1)];
                if (s instanceof Error) throw s;
                return {
                    DBInstances: [
                        {
                            DBInstanceIdentifier: "awsbackup-restore-test-1",
                            DBInstanceStatus: s,
                            Engine: "postgres",
                            EngineVersion: "17.5",
                        },
                    ],
                };
            }),
            DescribeDBInstancesCommand: command("DescribeDBInstances"),
        },
        "@aws-sdk/client-cloudwatch": { CloudWatchClient: client(() => ({})), PutMetricDataCommand: command("PutMetricData") },
    };
    const module = { exports: {} as { handler: (event: unknown) => Promise<unknown> } };
    vm.runInNewContext(RESTORE_VALIDATION_HANDLER, {
        module,
        exports: module.exports,
        require: (id: string) => modules[id],
        // No waiting between polls in the test; three polls in all.
        process: { env: { POLL_SECONDS: "0", MAX_POLLS: "3" } },
        setTimeout: (f: () => void) => setImmediate(f),
    });
    const result = await module.exports.handler({ detail: { restoreJobId: "job-1", status: "COMPLETED" } });
    const verdict = sent.find((s) => s.command === "PutRestoreValidationResult")?.input;
    return { sent, verdict, result };
}

const TEST_JOB: Job = {
    Status: "COMPLETED",
    ResourceType: "RDS",
    CreatedResourceArn: "arn:aws:rds:eu-central-1:123456789012:db:awsbackup-restore-test-1",
    CreatedBy: { RestoreTestingPlanArn: "arn:aws:backup:eu-central-1:123456789012:restore-testing-plan:saleor_production" },
};

describe("restore test validation (PutRestoreValidationResult)", () => {
    it("reports SUCCESSFUL once the restored instance is available", async () => {
        const { sent, verdict } = await validate(TEST_JOB, ["backing-up", "available"]);
        assert.deepEqual(sent[0], { command: "DescribeRestoreJob", input: { RestoreJobId: "job-1" } });
        assert.deepEqual(sent[1].input, { DBInstanceIdentifier: TEST_JOB.CreatedResourceArn });
        assert.equal(verdict.RestoreJobId, "job-1");
        assert.equal(verdict.ValidationStatus, "SUCCESSFUL");
        assert.match(verdict.ValidationStatusMessage, /awsbackup-restore-test-1 is available \(postgres 17\.5\)/);
    });

    it("reports FAILED when the instance ends in a failed state or cannot be read", async () => {
        assert.equal((await validate(TEST_JOB, ["incompatible-restore"])).verdict.ValidationStatus, "FAILED");
        const unreadable = await validate(TEST_JOB, [Object.assign(new Error("not found"), { name: "DBInstanceNotFoundFault" })]);
        assert.equal(unreadable.verdict.ValidationStatus, "FAILED");
        assert.match(unreadable.verdict.ValidationStatusMessage, /DBInstanceNotFoundFault/);
    });

    it("reports TIMED_OUT when it never becomes available within its polls", async () => {
        const { verdict, sent } = await validate(TEST_JOB, ["modifying"]);
        assert.equal(verdict.ValidationStatus, "TIMED_OUT");
        assert.equal(sent.filter((s) => s.command === "DescribeDBInstances").length, 3);
    });

    it("leaves alone a restore that is not a restore test, or not of a database", async () => {
        assert.equal((await validate({ ...TEST_JOB, CreatedBy: {} }, ["available"])).verdict, undefined);
        assert.equal((await validate({ ...TEST_JOB, ResourceType: "S3" }, ["available"])).verdict, undefined);
    });
});

describe("restore test validation: resources", () => {
    it("an EventBridge rule on completed restore jobs invokes a Lambda allowed only what validation needs", async () => {
        const res = await registeredRestoreTesting("production", { network: { vpcId: "vpc-1", subnetIds: ["subnet-a"] } });
        const [rule] = res.ofType("aws:cloudwatch/eventRule:EventRule").filter((r) => (r.inputs as any).eventPattern);
        assert.deepEqual(JSON.parse((rule.inputs as any).eventPattern), {
            source: ["aws.backup"],
            "detail-type": ["Restore Job State Change"],
            detail: { status: ["COMPLETED"] },
        });
        const [fn] = res.ofType("aws:lambda/function:Function");
        assert.equal((fn.inputs as any).runtime, "nodejs22.x");
        assert.equal((fn.inputs as any).handler, "index.handler");
        assert.equal((fn.inputs as any).name, "saleor-production-eu-central-1-data-restore-validation");
        const [permission] = res.ofType("aws:lambda/permission:Permission").filter((p) => p.name.endsWith("-restore-validation"));
        assert.equal((permission.inputs as any).principal, "events.amazonaws.com");
        assert.ok((permission.inputs as any).sourceArn, "only the rule may invoke it");
        const policies = res.ofType("aws:iam/rolePolicy:RolePolicy").map((p) => JSON.parse((p.inputs as any).policy));
        const actions = policies.flatMap((p) => p.Statement.flatMap((s: { Action: string[] }) => s.Action)).sort();
        assert.deepEqual(actions, [
            "backup:DescribeRestoreJob",
            "backup:ListRestoreJobs",
            "backup:PutRestoreValidationResult",
            "cloudwatch:PutMetricData",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
            "rds:DescribeDBInstances",
        ]);
        const [logs] = res.ofType("aws:cloudwatch/logGroup:LogGroup");
        assert.equal((logs.inputs as any).name, "/aws/lambda/saleor-production-eu-central-1-data-restore-validation");
    });
});
