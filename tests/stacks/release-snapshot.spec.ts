import assert from "node:assert/strict";
import { evaluated } from "../support/plans";
import type { RecordedResource } from "../support/harness";
import { awsLimitProblems, nameRules } from "../../automation/plan/aws-limits";
import { toPlanDocument } from "../../automation/plan/json";

const snapshotType = "aws:rds/snapshot:Snapshot";
const snapshots = (all: RecordedResource[]) => all.filter((r) => r.type === snapshotType);

describe("a snapshot of the writer before every migration (AWS)", () => {
    for (const stack of ["staging", "production"]) {
        it(`${stack}: the primary's migration Job waits for a snapshot of the primary's writer taken for its release`, async () => {
            const e = await evaluated(stack);
            const [snap, ...more] = snapshots(e.resources);
            assert.ok(snap, "a release snapshot is planned");
            assert.equal(more.length, 0, "one snapshot for a stack with no previous release named");
            const writer = e.resources.find(
                (r) => r.type === "aws:rds/instance:Instance" && r.name === "eu-central-1-data-postgres-writer",
            );
            assert.ok(writer, "the primary's writer");
            assert.ok(snap.dependencies.includes(writer.urn), "the snapshot is of the primary's writer");
            const job = e.resources.find((r) => r.name === "eu-central-1-core-migrate");
            assert.ok(job, "the primary's migration Job");
            assert.ok(job.dependencies.includes(snap.urn), "the migration Job depends on (and so waits for) the snapshot");
            // Stack-scoped: two stacks in one account never take the same identifier.
            assert.match(String(snap.inputs.dbSnapshotIdentifier), new RegExp(`^saleor-${stack}-eu-central-1-`));
            assert.match(String(snap.inputs.dbSnapshotIdentifier), /3-23-5/);
            // Not protected: the next-but-one release removes it.
            assert.equal(snap.protect, false);
            assert.ok((snap.customTimeouts?.create ?? 0) >= 3600, "a snapshot of a large database may take far longer than 20 minutes");
            // No secondary takes one: it migrates nothing.
            assert.ok(!snapshots(e.resources).some((r) => r.name.includes("eu-west-1")));
        });
    }

    it("production: keeps the previous release's snapshot and removes older ones", async () => {
        const now = await evaluated("production", { "saleor:release": "3.23.6", "saleor:previousRelease": "3.23.5" });
        const ids = snapshots(now.resources)
            .map((r) => String(r.inputs.dbSnapshotIdentifier))
            .sort();
        assert.deepEqual(ids, ["saleor-production-eu-central-1-pre-3-23-5", "saleor-production-eu-central-1-pre-3-23-6"]);
        const before = await evaluated("production");
        const previous = snapshots(before.resources)[0];
        const kept = snapshots(now.resources).find((r) => r.urn === previous.urn);
        assert.ok(kept, "the previous release's snapshot keeps its URN");
        assert.deepEqual(kept.inputs, previous.inputs, "and its inputs: no new snapshot of it is taken");
        const job = now.resources.find((r) => r.name === "eu-central-1-core-migrate")!;
        const current = snapshots(now.resources).find((r) => r.urn !== previous.urn)!;
        assert.ok(job.dependencies.includes(current.urn), "the new release's Job waits for the new release's snapshot");
        // Two releases on, the oldest is no longer in the program: the update deletes it.
        const later = await evaluated("production", { "saleor:release": "3.23.7", "saleor:previousRelease": "3.23.6" });
        assert.ok(!later.resources.some((r) => r.urn === previous.urn));
    });

    it("an identifier within the RDS API's limits, for a long stack name and a git SHA release", async () => {
        const e = await evaluated("staging", { "saleor:release": "0123456789abcdef0123456789abcdef01234567" });
        const [snap] = snapshots(e.resources);
        assert.match(String(snap.inputs.dbSnapshotIdentifier), /^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,254}(?<!-)$/);
        assert.equal(nameRules[snapshotType]?.input, "dbSnapshotIdentifier", "the plan's AWS limits check snapshot identifiers");
        const problems = awsLimitProblems(toPlanDocument(e)).filter((p) => p.includes(snapshotType) || p.includes("Snapshot"));
        assert.deepEqual(problems, []);
    });

    it("dev (in-cluster data) takes no RDS snapshot", async () => {
        const e = await evaluated("dev");
        assert.equal(snapshots(e.resources).length, 0);
    });
});
