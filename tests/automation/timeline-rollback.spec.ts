import assert from "node:assert/strict";
import { diffPlans } from "../../automation/plan/diff";
import { DEFAULT_ASSUMPTIONS } from "../../automation/plan/durations";
import { toPlanDocument, type PlanDocument } from "../../automation/plan/json";
import { buildTimeline, DRIVER_VERIFICATION, ROLLBACK_GOALS, type TimelineResult } from "../../automation/plan/timeline";
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

    it("each region's rollback puts the API back on the previous image; stable traffic = its rollout plus the drain the program sets", () => {
        const rb = release.rollback!;
        assert.deepEqual(Object.keys(rb.regions).sort(), ["eu-central-1", "eu-west-1"]);
        for (const [region, r] of Object.entries(rb.regions)) {
            const api = r.criticalPath.at(-1)!;
            assert.equal(api.name, `${region}-core-api`);
            assert.equal(api.op, "update");
            // components/core/processes.ts: preStopSleep(drainSeconds) = 20 s on the API.
            assert.equal(r.drainSeconds, 20);
            assert.equal(r.stableTrafficSeconds, DEFAULT_ASSUMPTIONS.engineOverhead.typical + api.finish + 20);
            assert.ok(r.updateSeconds >= r.stableTrafficSeconds - r.drainSeconds);
            assert.equal(r.verifiedSeconds, r.updateSeconds + DRIVER_VERIFICATION.typical);
            // Only this region (and stack-wide work) moves back: nothing of the other region is on the path.
            assert.ok(
                r.criticalPath.every((e) => e.region === region || e.region === "stack-wide"),
                JSON.stringify(r.criticalPath),
            );
            // No snapshot is taken for a rollback.
            assert.ok(!r.criticalPath.some((e) => e.type === "aws:rds/snapshot:Snapshot" && e.op === "create"));
        }
        // The primary's migration Job carries the release in its name: the rollback runs it again
        // (the previous code's `migrate`, which reverses nothing) before the API rolls back.
        assert.equal(rb.regions["eu-central-1"].migrationJobRuns, true);
        assert.equal(rb.regions["eu-west-1"].migrationJobRuns, false);
        assert.ok(rb.regions["eu-central-1"].criticalPath.some((e) => e.name === "eu-central-1-core-migrate" && e.op === "replace"));
    });

    it("a storefront (TCP readiness) is behind the load balancer too: its rollout and drain count for stable traffic", async () => {
        const base = await planOf("production");
        const next: PlanDocument = JSON.parse(JSON.stringify(base));
        const step = next.steps.find((x) => x.urn.endsWith("kubernetes:apps/v1:Deployment::eu-west-1-storefront"))!;
        (step.newState!.inputs as any).spec.template.spec.containers[0].image = "storefront:next";
        const rb = buildTimeline(next, { changes: diffPlans(base, next, "base").changes, against: "base" }).rollback!;
        const west = rb.regions["eu-west-1"];
        assert.equal(west.criticalPath.at(-1)?.name, "eu-west-1-storefront");
        assert.equal(west.drainSeconds, 20);
        assert.equal(west.stableTrafficSeconds, DEFAULT_ASSUMPTIONS.engineOverhead.typical + west.criticalPath.at(-1)!.finish + 20);
    });

    it("the rollback goals, as each source writes them, are checked per region and not met today, with why", () => {
        const rb = release.rollback!;
        for (const region of ["eu-central-1", "eu-west-1"]) {
            const [oneMinute, guide] = rb.goals.filter((g) => g.scope === region);
            assert.equal(oneMinute.limitSeconds, ROLLBACK_GOALS.stableTrafficSeconds);
            assert.equal(oneMinute.met, oneMinute.modelSeconds <= 60, "≤ 1 min: inclusive");
            assert.match(guide.goal, /Immediate Rollback \(< 5 minutes\).*Production Deployment Guide/);
            assert.equal(guide.met, guide.modelSeconds < 300, "< 5 minutes: strict");
            assert.equal(oneMinute.modelSeconds, rb.regions[region].stableTrafficSeconds);
            assert.equal(oneMinute.met, false);
            assert.ok(oneMinute.blockingChain.length > 0);
        }
        assert.match(rb.why!, /full rolling update/);
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
            /rollback: stable traffic <= 1 min \(the project's goal for an aborted release\) eu-central-1: .* > 1m 00s: NOT MET/,
        );
        assert.match(text, /"Immediate Rollback \(< 5 minutes\)" \(the Production Deployment Guide\) eu-west-1: .*: (met|NOT MET)/);
        assert.match(text, /full rolling update/);
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
