import * as assert from "assert";
import { backupPlanFrequencyRetention, nodeGroupVcpuBudget, stackMultiRegion } from "../../../policy/stack";
import { awsProvider, backupPlan, bucket, eksCluster, nodeGroup, rdsInstance } from "../fixtures/aws";
import { stackOutcome, stackViolations, UNKNOWN_VALUE, urnFor } from "../harness";

describe("AWS stack rules", () => {
    describe("aws-stack-multi-region", () => {
        const inRegion = (region: string, name: string) => ({ ...eksCluster(), name, provider: awsProvider(region) });
        it("production with EKS in one region only is a violation", async () => {
            const violations = await stackViolations(stackMultiRegion, [
                inRegion("eu-central-1", "primary"),
                { ...bucket("media"), provider: awsProvider("eu-west-1") },
            ]);
            assert.deepStrictEqual(
                violations.map((v) => v.message),
                [
                    "The stack runs its EKS clusters in 1 region(s) (eu-central-1), fewer than 2; give each region its own aws.Provider and build the regional stack in the secondary region (eu-west-1) too.",
                ],
            );
            assert.strictEqual(violations[0].urn, "");
        });
        it("EKS clusters in eu-central-1 and eu-west-1 pass", async () =>
            assert.deepStrictEqual(
                await stackViolations(stackMultiRegion, [inRegion("eu-central-1", "primary"), inRegion("eu-west-1", "secondary")]),
                [],
            ));
        it("a resource's own region input (AWS provider 7) counts", async () => {
            const secondary = {
                ...eksCluster(),
                name: "secondary",
                props: { ...eksCluster().props, region: "eu-west-1" },
                provider: awsProvider("eu-central-1"),
            };
            assert.deepStrictEqual(await stackViolations(stackMultiRegion, [inRegion("eu-central-1", "primary"), secondary]), []);
        });
        it("without EKS, the regions of all AWS resources count", async () => {
            const violations = await stackViolations(stackMultiRegion, [{ ...bucket("media"), provider: awsProvider("eu-central-1") }]);
            assert.match(violations[0].message, /runs its AWS resources in 1 region/);
        });
        it("a provider region unknown during preview is not a violation", async () =>
            assert.deepStrictEqual(
                await stackViolations(stackMultiRegion, [
                    inRegion("eu-central-1", "primary"),
                    { ...inRegion("x", "secondary"), provider: { type: "pulumi:providers:aws", props: { region: UNKNOWN_VALUE } } },
                ]),
                [],
            ));
        it("does not apply to a stack without AWS resources (dev)", async () =>
            assert.match(
                (await stackOutcome(stackMultiRegion, [{ type: "kubernetes:apps/v1:Deployment", props: {} }])).notApplicable ?? "",
                /no AWS resources/,
            ));
    });

    describe("aws-eks-node-groups-vcpu-budget", () => {
        it("node groups that can exceed the budget are a violation listing each group", async () => {
            const violations = await stackViolations(nodeGroupVcpuBudget, [
                nodeGroup({}, "primary"),
                nodeGroup({}, "secondary"),
                nodeGroup({ instanceTypes: ["c7i.4xlarge"], scalingConfig: { minSize: 1, maxSize: 4 } }, "batch"),
            ]);
            assert.deepStrictEqual(
                violations.map((v) => v.message),
                [
                    "EKS node groups can scale to 160 vCPUs (primary: 6 x m7i.2xlarge = 48; secondary: 6 x m7i.2xlarge = 48; batch: 4 x c7i.4xlarge = 64), above this stack's budget of 128; lower scalingConfig.maxSize or pick smaller instance types.",
                ],
            );
        });
        it("two regions of 6 x m7i.2xlarge fit production's 128 vCPUs", async () =>
            assert.deepStrictEqual(await stackViolations(nodeGroupVcpuBudget, [nodeGroup({}, "primary"), nodeGroup({}, "secondary")]), []));
        it("staging's budget of 32 vCPUs is taken from its config", async () =>
            assert.strictEqual((await stackViolations(nodeGroupVcpuBudget, [nodeGroup({}, "primary")], { maxVcpus: 32 })).length, 1));
        it("a mixed-type group is counted at its largest type", async () => {
            const violations = await stackViolations(
                nodeGroupVcpuBudget,
                [nodeGroup({ instanceTypes: ["m7i.xlarge", "m7i.4xlarge"], scalingConfig: { minSize: 1, maxSize: 3 } })],
                { maxVcpus: 40 },
            );
            assert.match(violations[0].message, /3 x m7i.4xlarge = 48/);
        });
        it("an instance type missing from the vCPU table is reported on its node group", async () => {
            const odd = nodeGroup({ instanceTypes: ["x2idn.metal"] }, "odd");
            const violations = await stackViolations(nodeGroupVcpuBudget, [odd]);
            assert.deepStrictEqual(
                violations.map((v) => v.urn),
                [urnFor(odd)],
            );
            assert.match(violations[0].message, /whose vCPU count this pack does not know/);
        });
        it("a maximum size unknown during preview is not a violation", async () =>
            assert.deepStrictEqual(
                await stackViolations(
                    nodeGroupVcpuBudget,
                    [nodeGroup({ scalingConfig: { minSize: 1, maxSize: UNKNOWN_VALUE } }), nodeGroup({}, "b")],
                    { maxVcpus: 50 },
                ),
                [],
            ));
    });

    describe("aws-backup-plan-frequency-and-retention", () => {
        const db = rdsInstance();
        const rule = (schedule: string, deleteAfter: number) => ({
            ruleName: "six-hourly",
            targetVaultName: "saleor",
            schedule,
            lifecycle: { deleteAfter },
        });
        it("a production stack with RDS and no backup plan is a violation", async () =>
            assert.match(
                (await stackViolations(backupPlanFrequencyRetention, [db]))[0].message,
                /has RDS databases but no aws.backup.Plan; add one with a rule that runs at least every 6 hours \(cron\(0 \*\/6 \* \* \? \*\)\) keeping recovery points 30 days/,
            ));
        it("a daily plan is a violation on the plan saying how often it runs", async () => {
            const plan = backupPlan([rule("cron(0 3 * * ? *)", 30)]);
            const violations = await stackViolations(backupPlanFrequencyRetention, [db, plan]);
            assert.strictEqual(violations[0].urn, urnFor(plan));
            assert.match(violations[0].message, /rule "six-hourly": it runs only every 24 hours/);
        });
        it("a 6-hourly plan kept 7 days is a violation", async () =>
            assert.match(
                (await stackViolations(backupPlanFrequencyRetention, [db, backupPlan([rule("cron(0 */6 * * ? *)", 7)])]))[0].message,
                /it keeps recovery points 7 days/,
            ));
        it("every 6 hours kept 30 days passes", async () =>
            assert.deepStrictEqual(
                await stackViolations(backupPlanFrequencyRetention, [db, backupPlan([rule("cron(0 0,6,12,18 * * ? *)", 35)])]),
                [],
            ));
        it("continuous backup (point-in-time recovery) is frequent enough", async () =>
            assert.deepStrictEqual(
                await stackViolations(backupPlanFrequencyRetention, [
                    db,
                    backupPlan([{ ruleName: "pitr", enableContinuousBackup: true, lifecycle: { deleteAfter: 30 } }]),
                ]),
                [],
            ));
        it("a schedule unknown during preview is not a violation", async () =>
            assert.deepStrictEqual(
                await stackViolations(backupPlanFrequencyRetention, [
                    db,
                    backupPlan([{ ruleName: "x", schedule: UNKNOWN_VALUE, lifecycle: { deleteAfter: 30 } }]),
                ]),
                [],
            ));
        it("does not apply without RDS databases", async () =>
            assert.match((await stackOutcome(backupPlanFrequencyRetention, [bucket()])).notApplicable ?? "", /no RDS databases/));
    });
});
