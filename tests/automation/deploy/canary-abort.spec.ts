import { strict as assert } from "node:assert";
import { exitCode } from "../../../automation/deploy/rollout";
import { closeServers, harness, NEW, OLD, PRIMARY, SECONDARY } from "./harness";

// An aborted canary (its analysis failed) leaves traffic on the stable pods at once; the update
// fails because the Rollout's gate Job fails (components/kubernetes/rollout-gate.ts). The driver must
// treat that as a failed region and roll it back, and its summary must say it was the canary and
// where to look, since the reason is in the gate's log and Argo's AnalysisRun, not in Pulumi's output.

describe("deploy: an aborted canary", () => {
    after(closeServers);

    it("fails the region's update through its gate; the driver rolls the region back and says where to read why", async () => {
        const h = await harness({ scenario: { abortCanary: (region, release) => region === PRIMARY && release === NEW } });
        const summary = await h.run();
        assert.equal(summary.result, "failed");
        assert.equal(exitCode(summary), 1);
        const primary = summary.regions.find((r) => r.region === PRIMARY)!;
        assert.equal(primary.status, "rolled-back");
        assert.equal(primary.rollback?.release, OLD);
        assert.match(primary.error ?? "", /the canary of eu-central-1-core-api was aborted or did not finish/);
        assert.match(primary.error ?? "", /traffic is on the stable version/);
        assert.match(primary.error ?? "", /kubectl argo rollouts get rollout/);
        assert.equal(summary.regions.find((r) => r.region === SECONDARY)!.status, "not-started", "the next region never moves");
    });
});
