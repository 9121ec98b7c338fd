import { strict as assert } from "node:assert";
import { exitCode } from "../../../automation/deploy/rollout";
import { closeServers, harness, NEW, OLD, PRIMARY, region, SECONDARY } from "./harness";

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
            h.stack.calls.filter((c) => c.kind !== "setReleaseConfig"),
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
