import assert from "node:assert/strict";
import { Resources, type RecordedResource } from "../support/harness";
import { evaluated } from "../support/plans";

const inputs = (r: RecordedResource) => r.inputs as any;

describe("staging backups", () => {
    it("keeps a daily snapshot of each cache", async () => {
        const res = new Resources((await evaluated("staging")).resources);
        const groups = res.ofType("aws:elasticache/replicationGroup:ReplicationGroup");
        assert.equal(groups.length, 2);
        for (const g of groups) {
            assert.ok(inputs(g).snapshotRetentionLimit >= 1, g.name);
            assert.match(inputs(g).snapshotWindow, /^\d\d:\d\d-\d\d:\d\d$/);
        }
    });

    it("leaves its vaults unlocked, so a test stack can be torn down", async () => {
        const res = new Resources((await evaluated("staging")).resources);
        assert.equal(res.ofType("aws:backup/vaultLockConfiguration:VaultLockConfiguration").length, 0);
    });
});
