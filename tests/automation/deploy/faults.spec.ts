import { strict as assert } from "node:assert";
import { breaks, healthy, type Behaviour } from "../../../automation/deploy/fakes/region-server";
import { exitCode } from "../../../automation/deploy/rollout";
import { renderMarkdown } from "../../../automation/deploy/summary";
import { closeServers, harness, NEW, OLD, PRIMARY, region, SECONDARY, type Harness } from "./harness";

// Faults a real run meets: another update holding the stack's lock, a cancelled job, a
// network blip during verification, a region moved out of order.

afterEach(closeServers);

describe("deploy driver: another update holds the stack's lock", () => {
    it("a lock conflict on the secondary's update is 'nothing changed' there, not a failed rollback", async () => {
        let lockedUps = 0;
        const h = await harness({
            scenario: {
                locked: (op, releases) => op === "up" && releases[SECONDARY] === NEW && ++lockedUps > 0,
            },
        });
        const summary = await h.run();

        const secondary = region(summary, SECONDARY);
        assert.equal(secondary.status, "unchanged");
        assert.equal(secondary.rollback, undefined, "no rollback of a region the update never touched");
        assert.equal(lockedUps, 1, "the driver does not try a rollback update against the held lock");
        assert.equal(region(summary, PRIMARY).status, "deployed");
        assert.equal(summary.error?.kind, "stack-locked");
        assert.equal(exitCode(summary), 4);
        assert.match(summary.message, /eu-west-1: nothing changed, another update holds the stack's lock/);
        assert.match(summary.message, /eu-central-1 stays on 3\.23\.5/);
        assert.deepEqual(
            h.stack.releaseHistory.map((r) => r.region),
            [PRIMARY],
        );
    });

    it("a lock conflict on the first region's update leaves every region as it was", async () => {
        const h = await harness({ scenario: { locked: (op) => op === "up" } });
        const summary = await h.run();
        assert.equal(region(summary, PRIMARY).status, "unchanged");
        assert.equal(region(summary, SECONDARY).status, "not-started");
        assert.equal(summary.error?.kind, "stack-locked");
        assert.deepEqual(h.stack.releaseHistory, []);
        assert.deepEqual(h.stack.config, { release: OLD }, "the release config is back as it was");
    });
});

describe("deploy driver: regions move in order", () => {
    it("refuses --region <secondary> before the primary runs the release, changing nothing (exit 3)", async () => {
        const h = await harness();
        const summary = await h.run({ region: SECONDARY });
        assert.equal(summary.result, "blocked");
        assert.equal(exitCode(summary), 3);
        assert.match(summary.message, /eu-west-1 is a secondary region and the primary eu-central-1 runs 3\.23\.4, not 3\.23\.5/);
        assert.match(summary.message, /--region eu-central-1/);
        assert.deepEqual(h.ups(), []);
        assert.deepEqual(
            h.stack.calls.filter((c) => c.kind === "preview" || c.kind === "up"),
            [],
            "not even a preview",
        );
        assert.deepEqual(h.stack.config, { release: OLD });
    });

    it("lets --region <secondary> through once the primary runs the release", async () => {
        const h = await harness();
        const first = await h.run({ region: PRIMARY });
        assert.equal(first.result, "succeeded");
        const second = await h.run({ region: SECONDARY });
        assert.equal(second.result, "succeeded", second.message);
        assert.deepEqual(h.stack.releaseHistory, [
            { region: PRIMARY, release: NEW },
            { region: SECONDARY, release: NEW },
        ]);
    });
});

describe("deploy driver: SIGINT and SIGTERM", () => {
    it("cancel the running update, skip the rollback, report the pending operation and exit 130", async () => {
        const controller = new AbortController();
        const h = await harness({
            scenario: { duringUpdate: (r) => (r === SECONDARY ? controller.abort("SIGTERM") : undefined) },
            signal: controller.signal,
        });
        const summary = await h.run();

        assert.equal(summary.result, "cancelled");
        assert.equal(exitCode(summary), 130);
        assert.equal(region(summary, PRIMARY).status, "deployed");
        assert.equal(region(summary, SECONDARY).status, "cancelled");
        assert.equal(h.ups().length, 2, "no rollback update after the signal");
        assert.ok(!h.stack.calls.some((c) => c.kind === "cancel"), "the update stopped by itself: no pulumi cancel");
        assert.deepEqual(summary.pendingOperations, [
            {
                type: "updating",
                urn: "urn:pulumi:staging::saleor::kubernetes:apps/v1:Deployment::saleor-api-eu-west-1",
                resourceType: "kubernetes:apps/v1:Deployment",
            },
        ]);
        assert.match(summary.message, /^Cancelled by SIGTERM\. eu-west-1 was being changed and may be part-way/);
        assert.match(summary.message, /eu-central-1 stays on 3\.23\.5/);
        assert.match(summary.message, /pulumi refresh --stack staging/);
        assert.match(renderMarkdown(summary), /### Pending operations[\s\S]*updating `kubernetes:apps\/v1:Deployment`/);
        assert.deepEqual(h.stack.config.regionReleases, { [PRIMARY]: NEW, [SECONDARY]: OLD }, "the stack file names what was verified");
    });

    it("run pulumi cancel when the interrupted update does not stop within the grace period", async () => {
        const controller = new AbortController();
        const h = await harness({
            scenario: { ignoresInterrupt: true, duringUpdate: (r) => (r === PRIMARY ? controller.abort("SIGINT") : undefined) },
            signal: controller.signal,
            cancelGraceMs: 20,
        });
        const summary = await h.run();
        assert.equal(summary.result, "cancelled");
        assert.ok(h.stack.calls.some((c) => c.kind === "cancel"));
        assert.match(summary.message, /Cancelled by SIGINT \(the update did not stop by itself: pulumi cancel ended it\)/);
        assert.equal(region(summary, SECONDARY).status, "not-started");
        assert.deepEqual(h.stack.config, { release: OLD }, "nothing verified moved: the config is as it was");
    });

    it("a signal during verification stops the retries at once", async () => {
        const controller = new AbortController();
        const h = await harness({
            behaviourAt: (r, release) => (r === PRIMARY && release === NEW ? breaks("health", { status: 503 }) : healthy),
            signal: controller.signal,
        });
        const run = h.run({ verify: { attempts: 1000, timeoutMs: 250, backoffMs: 5, maxBackoffMs: 5 } });
        // The fake clock makes the waits instant; a real timer delivers the signal meanwhile.
        const slept = h.clock.slept;
        setTimeout(() => controller.abort("SIGTERM"), 50);
        const summary = await run;
        assert.equal(summary.result, "cancelled");
        assert.ok(slept.length < 1000, "it did not use the whole budget");
        assert.equal(h.ups().length, 1, "no rollback after the signal");
    });
});

describe("deploy driver: pending operations", () => {
    it("a failed update's pending operations are in both summaries", async () => {
        const h = await harness({
            scenario: {
                pendingOnFailure: true,
                failUpdate: (r, release) => (r === PRIMARY && release === NEW ? "connection reset" : undefined),
            },
        });
        const summary = await h.run();
        assert.equal(summary.result, "failed");
        assert.deepEqual(
            summary.pendingOperations?.map((p) => `${p.type} ${p.resourceType}`),
            ["updating kubernetes:apps/v1:Deployment"],
        );
        assert.ok(h.lines.some((l) => l.includes("pending operation: updating kubernetes:apps/v1:Deployment saleor-api-eu-central-1")));
        assert.match(renderMarkdown(summary), /### Pending operations/);
    });
});

describe("deploy driver: verification budget", () => {
    /** 502 from every check of the new release until the clock passes `until`. */
    const blip = (h: () => Harness, ms: number) => {
        let until: number | undefined;
        return (_region: string, release: string): Behaviour =>
            release !== NEW
                ? healthy
                : (check, attempt) => {
                      until ??= h().clock.now.getTime() + ms;
                      return h().clock.now.getTime() < until ? { status: 502 } : healthy(check, attempt);
                  };
    };

    it("a 75 s network blip after the update does not roll back a healthy release with the default budget", async () => {
        const ref: { h?: Harness } = {};
        const h = (ref.h = await harness({ behaviourAt: blip(() => ref.h!, 75_000) }));
        const summary = await h.run({ verify: { timeoutMs: 250 } });
        assert.equal(summary.result, "succeeded", summary.message);
        assert.equal(region(summary, PRIMARY).verification?.checks[0].attempts, 9, "8 waits of 10 s outlast the blip");
        assert.ok(h.clock.slept.every((ms) => ms === 10_000));
    });

    it("the budget from the stack file is bounded: past it, the region is rolled back", async () => {
        const ref: { h?: Harness } = {};
        const h = (ref.h = await harness({
            behaviourAt: blip(() => ref.h!, 75_000),
            scenario: { settings: { releaseVerification: { attempts: 4, intervalSeconds: 15 } } },
        }));
        const summary = await h.run({ verify: { timeoutMs: 250 } });
        assert.equal(summary.result, "failed");
        assert.equal(region(summary, PRIMARY).status, "rolled-back");
        assert.equal(region(summary, PRIMARY).verification?.checks[0].attempts, 4);
        assert.deepEqual(h.clock.slept.slice(0, 3), [15_000, 15_000, 15_000]);
    });
});
