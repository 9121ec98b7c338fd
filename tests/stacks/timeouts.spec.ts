import { strict as assert } from "node:assert";
import { DEFAULT_ASSUMPTIONS, durationOf, type DurationContext } from "../../automation/plan/durations";
import type { PlanDocument, PlanState } from "../../automation/plan/json";
import { planOf } from "../support/plans";

/**
 * AWS's long operations (an RDS cross-region replica, an EKS version update) outlast the provider's
 * default timeouts; a deployment that gives up on one leaves it half-done. Every such resource
 * carries customTimeouts of at least the pessimistic duration the deployment timeline assumes.
 */
const longRunning = [
    "aws:rds/instance:Instance",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:eks/cluster:Cluster",
    "aws:eks/nodeGroup:NodeGroup",
    "aws:eks/addon:Addon",
];

function contextOf(plan: PlanDocument): DurationContext {
    const states = new Map(plan.steps.map((s) => [s.urn, s.newState] as const));
    return {
        assumptions: DEFAULT_ASSUMPTIONS,
        regionOfProvider: (s: PlanState) => {
            const provider = s.provider ? states.get(s.provider.split("::").slice(0, -1).join("::")) : undefined;
            return typeof provider?.inputs.region === "string" ? provider.inputs.region : undefined;
        },
        hpaMinReplicas: () => undefined,
        firstDeployment: true,
    };
}

for (const stack of ["staging", "production"]) {
    describe(`${stack}: timeouts of long-running AWS operations`, () => {
        let plan: PlanDocument;
        before(async () => {
            plan = await planOf(stack);
        });

        it("gives every long-running resource customTimeouts above the timeline's pessimistic duration", () => {
            const ctx = contextOf(plan);
            const checked = plan.steps
                .map((s) => s.newState)
                .filter((s): s is PlanState => s !== undefined && longRunning.includes(s.type));
            assert.ok(checked.length >= 10, `only ${checked.length} long-running resources found`);
            const short = checked.flatMap((s) =>
                (["create", "update", "delete"] as const).flatMap((op) => {
                    const limit = s.customTimeouts?.[op];
                    const high = durationOf(s, op, ctx).high;
                    return limit !== undefined && limit >= high
                        ? []
                        : [`${s.urn} ${op}: timeout ${limit ?? "none"} s, timeline up to ${high} s`];
                }),
            );
            assert.deepEqual(short, []);
        });

        it("sets none on CloudFront, whose provider ignores it (a fixed 90-minute wait)", () => {
            const distributions = plan.steps.filter((s) => s.newState?.type === "aws:cloudfront/distribution:Distribution");
            for (const d of distributions) assert.equal(d.newState?.customTimeouts, undefined);
        });
    });
}

describe("the plan's customTimeouts", () => {
    it("are in seconds, parsed from the option's duration strings as the engine parses them", async () => {
        const { durationSeconds } = await import("../../automation/plan/recording-monitor");
        assert.equal(durationSeconds("90m"), 5400);
        assert.equal(durationSeconds("1h30m"), 5400);
        assert.equal(durationSeconds("40s"), 40);
        assert.throws(() => durationSeconds("90 minutes"), /not a duration/);
    });
});
