import assert from "node:assert/strict";
import { isDeepStrictEqual } from "util";
import type { Evaluation } from "../../automation/plan/evaluate";
import { evaluated } from "../support/plans";
import { isStatefulType } from "../../automation/stateful";
import type { RecordedResource } from "../support/harness";

/** Base evaluations use the stack files' own release (3.23.5); the bump is 3.23.6. */
function evaluateWith(stack: string, overrides: Record<string, string>): Promise<Evaluation> {
    const { ["saleor:release"]: release, ...rest } = overrides;
    return evaluated(stack, release === "3.23.5" ? rest : overrides);
}

/** What an image-only release may change: the migration Job, workloads, their settings and the image builds. */
const releaseTypes = new Set([
    "kubernetes:batch/v1:Job",
    "kubernetes:apps/v1:Deployment",
    // The API and the storefront on AWS: Argo Rollouts, whose new pod template starts a canary.
    "kubernetes:argoproj.io/v1alpha1:Rollout",
    "kubernetes:core/v1:ConfigMap",
    "kubernetes:core/v1:Secret",
    "docker:index/image:Image",
    "saleor:components:ContainerImage",
    // The snapshot of the writer taken before the new release's migration (and the oldest one removed).
    "aws:rds/snapshot:Snapshot",
]);

function diff(before: Evaluation, after: Evaluation) {
    const old = new Map(before.resources.map((r) => [r.urn, r]));
    const now = new Map(after.resources.map((r) => [r.urn, r]));
    const changed: RecordedResource[] = [];
    for (const [urn, r] of now) {
        const o = old.get(urn);
        if (!o || !isDeepStrictEqual(o.inputs, r.inputs) || !isDeepStrictEqual(o.dependencies.sort(), r.dependencies.sort()))
            changed.push(r);
    }
    const removed = [...old.values()].filter((r) => !now.has(r.urn));
    return { changed, removed };
}

describe("an image-only release (a Saleor version bump)", () => {
    for (const stack of ["staging", "production"]) {
        it(`${stack}: changes only the migration Job, workloads, their settings and the image builds`, async () => {
            const before = await evaluateWith(stack, { "saleor:release": "3.23.5" });
            const after = await evaluateWith(stack, { "saleor:release": "3.23.6" });
            const { changed, removed } = diff(before, after);
            assert.ok(changed.length > 0, "the release must change something");
            for (const r of [...changed, ...removed]) {
                assert.ok(releaseTypes.has(r.type), `${r.type} ${r.name} must not change in an image-only release`);
                assert.ok(!isStatefulType(r.type), `${r.type} ${r.name} is stateful`);
            }
            // Proof the comparison sees what matters: the migration Job moved to the new image.
            const job = changed.find((r) => r.name === "eu-central-1-core-migrate");
            assert.ok(job, "the migration Job re-runs for the new image");
        });
    }

    it("production: leaves every database, cache, bucket, key, cluster and node group byte-for-byte alone", async () => {
        const before = await evaluateWith("production", { "saleor:release": "3.23.5" });
        const after = await evaluateWith("production", { "saleor:release": "3.23.6" });
        const guarded = [
            "aws:rds/instance:Instance",
            "aws:elasticache/replicationGroup:ReplicationGroup",
            "aws:s3/bucket:Bucket",
            "aws:eks/cluster:Cluster",
            "aws:eks/nodeGroup:NodeGroup",
            "aws:kms/key:Key",
            "aws:ec2/vpc:Vpc",
        ];
        for (const type of guarded) {
            const a = before.resources.filter((r) => r.type === type);
            const b = after.resources.filter((r) => r.type === type);
            assert.ok(a.length > 0, type);
            assert.deepEqual(
                b.map((r) => [r.urn, r.inputs]),
                a.map((r) => [r.urn, r.inputs]),
                type,
            );
        }
    });

    it("a staged rollout moves only the primary region's workloads", async () => {
        const before = await evaluateWith("production", { "saleor:release": "3.23.5" });
        const after = await evaluateWith("production", {
            "saleor:release": "3.23.5",
            "saleor:regionReleases": JSON.stringify({ "eu-central-1": "3.23.6" }),
        });
        const { changed } = diff(before, after);
        const secondaryWorkloads = changed.filter((r) => r.type === "kubernetes:apps/v1:Deployment" && r.name.startsWith("eu-west-1"));
        assert.deepEqual(
            secondaryWorkloads.map((r) => r.name),
            [],
        );
        assert.ok(changed.some((r) => r.name === "eu-central-1-core-api"));
    });
});
