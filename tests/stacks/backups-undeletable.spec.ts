import assert from "node:assert/strict";
import { Resources, type RecordedResource } from "../support/harness";
import { evaluated } from "../support/plans";

const inputs = (r: RecordedResource) => r.inputs as any;

/** What the AWS Config rule backup-recovery-point-manual-deletion-disabled requires a vault's policy to deny. */
const deniedActions = ["backup:DeleteRecoveryPoint", "backup:PutBackupVaultAccessPolicy", "backup:UpdateRecoveryPointLifecycle"];

describe("production backups: nobody can delete them", () => {
    let res: Resources;
    before(async () => {
        res = new Resources((await evaluated("production")).resources);
    });

    it("locks every backup vault in compliance mode, with a grace period to correct a mistake", () => {
        const vaults = res.ofType("aws:backup/vault:Vault");
        assert.equal(vaults.length, 2);
        for (const vault of vaults) {
            const locks = res
                .ofType("aws:backup/vaultLockConfiguration:VaultLockConfiguration")
                .filter((l) => l.dependencies.includes(vault.urn));
            assert.equal(locks.length, 1, `${vault.name} is locked`);
            const lock = inputs(locks[0]);
            // changeableForDays set: compliance mode; the production guide keeps backups 30 days.
            assert.equal(lock.changeableForDays, 3);
            assert.ok(lock.minRetentionDays <= 30 && lock.maxRetentionDays >= 30, JSON.stringify(lock));
            assert.equal(locks[0].protect, true);
        }
    });

    it("denies everyone deleting a recovery point, shortening its life or rewriting the vault's policy", () => {
        for (const vault of res.ofType("aws:backup/vault:Vault")) {
            const policies = res.ofType("aws:backup/vaultPolicy:VaultPolicy").filter((p) => p.dependencies.includes(vault.urn));
            assert.equal(policies.length, 1, `${vault.name} has a policy`);
            const deny = JSON.parse(inputs(policies[0]).policy).Statement.filter((s: any) => s.Effect === "Deny");
            assert.equal(deny.length, 1);
            assert.deepEqual(deny[0].Principal, { AWS: "*" });
            assert.equal(deny[0].Resource, "*");
            for (const action of deniedActions) assert.ok(deny[0].Action.includes(action), action);
            assert.equal(policies[0].protect, true);
        }
    });
});

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
