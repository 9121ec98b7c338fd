import assert from "node:assert/strict";
import { diffPlans } from "../../automation/plan/diff";
import { toPlanDocument, type PlanDocument } from "../../automation/plan/json";
import { buildTimeline, DRIVER_VERIFICATION, ROLLBACK_GOALS, ROLLOUT_ABORT, type TimelineResult } from "../../automation/plan/timeline";
import { evaluated, planOf, runCli } from "../support/plans";

describe("timeline: the rollback of a release", () => {
    let release: TimelineResult;
    before(async () => {
        const base = await planOf("production");
        // As the driver evaluates a release: the primary's previous release is named, so its snapshot stays.
        const next = toPlanDocument(await evaluated("production", { "saleor:release": "3.23.6", "saleor:previousRelease": "3.23.5" }));
        release = buildTimeline(next, { changes: diffPlans(base, next, "base").changes, against: "base" });
    });

    it("a first deployment, or a release that changes nothing, has no rollback to model", async () => {
        const dev = await planOf("dev");
        assert.equal(buildTimeline(dev).rollback, undefined);
        assert.equal(buildTimeline(dev, { changes: diffPlans(dev, dev, "same").changes }).rollback, undefined);
    });

    it("on AWS the API is a canary: its traffic returns to the still-running stable pods by an abort, before any rollback update", () => {
        const rb = release.rollback!;
        assert.deepEqual(Object.keys(rb.regions).sort(), ["eu-central-1", "eu-west-1"]);
        for (const [region, r] of Object.entries(rb.regions)) {
            assert.ok(r.abortedRollouts.includes(`${region}-core-api`), r.abortedRollouts.join());
            // No Deployment behind the load balancer changes in an image-only release: the abort decides.
            assert.deepEqual(r.criticalPath, []);
            assert.equal(r.stableTrafficSeconds, ROLLOUT_ABORT.typical);
            assert.ok(r.updateSeconds > r.stableTrafficSeconds, "the driver's update back to the previous release comes after");
            assert.equal(r.verifiedSeconds, r.updateSeconds + DRIVER_VERIFICATION.typical);
        }
        // The primary's migration Job carries the release in its name: the rollback's update runs it
        // again (the previous code's `migrate`, which reverses nothing).
        assert.equal(rb.regions["eu-central-1"].migrationJobRuns, true);
        assert.equal(rb.regions["eu-west-1"].migrationJobRuns, false);
    });

    it("dev's API is a canary too (ingress-nginx): its traffic returns to the still-running stable pods by an abort", async () => {
        const base = await planOf("dev");
        const next: PlanDocument = JSON.parse(JSON.stringify(base));
        const step = next.steps.find((x) => x.urn.endsWith("kubernetes:argoproj.io/v1alpha1:Rollout::local-core-api"))!;
        (step.newState!.inputs as any).spec.template.spec.containers[0].image = "core:next";
        const rb = buildTimeline(next, { changes: diffPlans(base, next, "base").changes, against: "base" }).rollback!;
        const r = rb.regions["local"];
        assert.deepEqual(r.abortedRollouts, ["local-core-api"]);
        // The controller sets the canary Ingress's weight back to 0; no pod starts.
        assert.equal(r.stableTrafficSeconds, ROLLOUT_ABORT.typical);
        const [oneMinute] = rb.goals.filter((g) => g.scope === "local");
        assert.equal(oneMinute.met, true);
    });

    it("a storefront canary (TCP readiness) is behind the load balancer too: its traffic returns by an abort", async () => {
        const base = await planOf("production");
        const next: PlanDocument = JSON.parse(JSON.stringify(base));
        const step = next.steps.find((x) => x.urn.endsWith("kubernetes:argoproj.io/v1alpha1:Rollout::eu-west-1-storefront"))!;
        (step.newState!.inputs as any).spec.template.spec.containers[0].image = "storefront:next";
        const rb = buildTimeline(next, { changes: diffPlans(base, next, "base").changes, against: "base" }).rollback!;
        const west = rb.regions["eu-west-1"];
        assert.deepEqual(west.abortedRollouts, ["eu-west-1-storefront"]);
        assert.equal(west.stableTrafficSeconds, ROLLOUT_ABORT.typical);
    });

    for (const [stack, region] of [
        ["dev", "local"],
        ["production", "eu-central-1"],
    ] as const) {
        it(`${stack}: a new Dashboard is a canary like the API's: its steps and pauses take the release's time, and an abort rolls it back`, async () => {
            const base = await planOf(stack);
            const next: PlanDocument = JSON.parse(JSON.stringify(base));
            const step = next.steps.find((x) => x.urn.endsWith(`kubernetes:argoproj.io/v1alpha1:Rollout::${region}-core-dashboard`))!;
            assert.ok(step, `${region}-core-dashboard is a Rollout`);
            (step.newState!.inputs as any).spec.template.spec.containers[0].image = "dashboard:next";
            const t = buildTimeline(next, { changes: diffPlans(base, next, "base").changes, against: "base" });
            const dashboard = t.criticalPath.find((e) => e.name === `${region}-core-dashboard`)!;
            assert.ok(dashboard, t.criticalPath.map((e) => e.name).join(" → "));
            assert.match(dashboard.basis, /canary 10% → 50% → 100%/);
            assert.ok(dashboard.finish - dashboard.start >= 240, "at least its two 2-minute pauses");
            const rb = t.rollback!.regions[region];
            assert.deepEqual(rb.abortedRollouts, [`${region}-core-dashboard`]);
            assert.equal(rb.stableTrafficSeconds, ROLLOUT_ABORT.typical);
        });
    }

    it("the rollback goals, as each source writes them, are checked per region: met on AWS, where the canary is aborted", () => {
        const rb = release.rollback!;
        for (const region of ["eu-central-1", "eu-west-1"]) {
            const [oneMinute, guide] = rb.goals.filter((g) => g.scope === region);
            assert.equal(oneMinute.limitSeconds, ROLLBACK_GOALS.stableTrafficSeconds);
            assert.equal(oneMinute.met, oneMinute.modelSeconds <= 60, "≤ 1 min: inclusive");
            assert.match(guide.goal, /Immediate Rollback \(< 5 minutes\).*Production Deployment Guide/);
            assert.equal(guide.met, guide.modelSeconds < 300, "< 5 minutes: strict");
            assert.equal(oneMinute.modelSeconds, rb.regions[region].stableTrafficSeconds);
            assert.equal(oneMinute.met, true);
            assert.deepEqual(oneMinute.blockingChain, []);
        }
        assert.equal(rb.why, undefined);
    });

    it("--timeline --diff-against prints the rollback goals next to the release goals (human and --json)", async () => {
        const fs = await import("fs");
        const os = await import("os");
        const path = await import("path");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "timeline-rollback-"));
        const file = path.join(dir, "base.json");
        const base = toPlanDocument(await evaluated("production", { "saleor:release": "3.23.4" }));
        fs.writeFileSync(file, JSON.stringify(base));
        const human = await runCli(["--stack", "production", "--timeline", "--diff-against", file, "--no-policy"]);
        assert.equal(human.code, 0, human.stderr);
        const text = human.stdout.replace(/\n\s+/g, " ");
        assert.match(text, /single-region release < 10 min .*: (met|NOT MET)/);
        assert.match(
            text,
            /rollback: stable traffic <= 1 min \(the project's goal for an aborted release\) eu-central-1: .* <= 1m 00s: met/,
        );
        assert.match(text, /"Immediate Rollback \(< 5 minutes\)" \(the Production Deployment Guide\) eu-west-1: .*: (met|NOT MET)/);
        assert.match(text, /canaries aborted back to their running stable pods \(eu-central-1-core-api/);
        for (const line of human.stdout.split("\n")) assert.ok([...line].length <= 100, line);
        const json = await runCli(["--stack", "production", "--timeline", "--diff-against", file, "--no-policy", "--json"]);
        const doc = JSON.parse(json.stdout);
        assert.equal(doc.rollback.goals.length, 4);
        assert.equal(typeof doc.rollback.regions["eu-central-1"].stableTrafficSeconds, "number");
        // This release plan was made from the stack file, which names no previous release, so it removes
        // the previous release's snapshot; the driver names it and keeps it: a rollback takes no snapshot.
        assert.ok(doc.diff.regions["eu-central-1"].delete.some((urn: string) => urn.includes("aws:rds/snapshot:Snapshot")));
        const primary = doc.rollback.regions["eu-central-1"].criticalPath as { type: string; op: string; name: string }[];
        assert.ok(!primary.some((e) => e.type === "aws:rds/snapshot:Snapshot"), primary.map((e) => e.name).join(" → "));
    });
});
