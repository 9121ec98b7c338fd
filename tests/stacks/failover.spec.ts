import assert from "node:assert/strict";
import * as path from "path";
import { diffPlans, type PlanDiff } from "../../automation/plan/diff";
import { projectRoot, type Evaluation } from "../../automation/plan/evaluate";
import { toPlanDocument } from "../../automation/plan/json";
import { readStackFile } from "../../automation/plan/stack-file";
import { isStatefulType } from "../../automation/stateful";
import { Resources, type RecordedResource } from "../support/harness";
import { coreSecretEnv } from "../support/core-secrets";
import { evaluated } from "../support/plans";

// Regional failover is a config change: the regions' roles swapped in the stack file, nothing else.

/** The stack file's regions with the roles swapped, as the README's failover runbook has the operator edit them. */
function swappedRegions(stack: string): Record<string, string> {
    const file = readStackFile(path.join(projectRoot, `Pulumi.${stack}.yaml`), "saleor");
    const regions = JSON.parse(file.values["saleor:regions"]) as { role: string }[];
    return { "saleor:regions": JSON.stringify(regions.map((r) => ({ ...r, role: r.role === "primary" ? "secondary" : "primary" }))) };
}

const RDS = "aws:rds/instance:Instance";
const inputs = (r: RecordedResource) => r.inputs as Record<string, any>;
const coreEnv = coreSecretEnv;
const coreConfig = (res: Resources, region: string) => inputs(res.one("kubernetes:core/v1:ConfigMap", `${region}-core-config`)).data;
const hostOf = (url: string) => new URL(url).hostname;
const nameOf = (urn: string) => urn.split("::").pop()!;
const providerRegion = (res: Resources, r: RecordedResource) => inputs(res.byUrn(r.provider.split("::").slice(0, -1).join("::"))!).region;

for (const stack of ["production", "staging"] as const) {
    describe(`${stack} stack: failover to eu-west-1 (roles swapped in config)`, () => {
        let normal: Evaluation;
        let failover: Evaluation;
        let res: Resources;
        let forward: PlanDiff;
        let back: PlanDiff;
        before(async () => {
            normal = await evaluated(stack);
            failover = await evaluated(stack, swappedRegions(stack));
            res = new Resources(failover.resources);
            forward = diffPlans(toPlanDocument(normal), toPlanDocument(failover), "normal").diff;
            back = diffPlans(toPlanDocument(failover), toPlanDocument(normal), "failover").diff;
        });

        it("makes eu-west-1 the primary in the stack's outputs", () => {
            const outputs = failover.outputs as any;
            assert.equal(outputs.primaryRegion, "eu-west-1");
            assert.equal(outputs.regions["eu-west-1"].role, "primary");
            assert.equal(outputs.regions["eu-central-1"].role, "secondary");
        });

        it("promotes eu-west-1's standby in place: the writer aliases it and replicates from nothing", () => {
            const writer = res.one(RDS, "eu-west-1-data-postgres-writer");
            assert.equal(inputs(writer).replicateSourceDb, undefined);
            assert.ok(
                writer.aliases.some((a) => nameOf(a) === "eu-west-1-data-postgres-standby"),
                writer.aliases.join(),
            );
            const promoted = forward.stateful.find((s) => nameOf(s.urn) === "eu-west-1-data-postgres-writer")!;
            assert.equal(promoted.change, "update", "an update of the standby, not a new database");
            assert.equal(nameOf(promoted.renamedFrom!), "eu-west-1-data-postgres-standby");
            assert.deepEqual(promoted.replaceFields, []);
            assert.ok(promoted.paths.includes("replicateSourceDb"));
            assert.match(promoted.note!, /promotes the read replica/);
        });

        it("gives eu-central-1 a new standby replicating from the new writer", () => {
            const standby = res.one(RDS, "eu-central-1-data-postgres-standby");
            assert.match(inputs(standby).replicateSourceDb, /^arn:aws:rds:eu-west-1:/);
            assert.equal(providerRegion(res, standby), "eu-central-1");
            const writers = res.ofType(RDS).filter((i) => inputs(i).replicateSourceDb === undefined);
            assert.deepEqual(
                writers.map((w) => w.name),
                ["eu-west-1-data-postgres-writer"],
                "exactly one writer",
            );
        });

        it("keeps the old writer in AWS when it leaves the stack, and replaces no stateful resource", () => {
            const old = forward.stateful.find((s) => nameOf(s.urn) === "eu-central-1-data-postgres-writer")!;
            assert.equal(old.change, "delete");
            assert.equal(old.retained, stack === "production", "production retains it (retainOnDelete); staging's is disposable");
            assert.deepEqual(
                forward.stateful.filter((s) => s.change === "replace"),
                [],
            );
            const touched = forward.stateful.map((s) => nameOf(s.urn)).sort();
            const expected = ["eu-central-1-data-postgres-writer", "eu-west-1-data-postgres-writer"];
            if (stack === "production") expected.push("eu-central-1-data-postgres-reader");
            assert.deepEqual(
                touched,
                expected.sort(),
                "nothing else stateful changes: buckets, keys, vaults, caches, clusters, registry stay",
            );
        });

        it("moves the migration Job and Celery beat to eu-west-1, and eu-central-1's Core waits for that Job", () => {
            const jobs = res.component("kubernetes:batch/v1:Job", "migrations");
            assert.deepEqual(
                jobs.map((j) => j.name),
                ["eu-west-1-core-migrate"],
            );
            assert.deepEqual(
                res.component("kubernetes:apps/v1:Deployment", "beat").map((d) => d.name),
                ["eu-west-1-core-beat"],
            );
            for (const c of ["api", "worker"]) {
                const d = res.workload(`eu-central-1-core-${c}`);
                assert.ok(d.dependencies.includes(jobs[0].urn), `${d.name} waits for eu-west-1's migration`);
            }
        });

        it("repoints both regions' Core at the eu-west-1 writer, each reading from its own region", () => {
            const writer = coreEnv(res, "eu-west-1").DATABASE_URL;
            assert.match(hostOf(writer), /\.eu-west-1\.rds\.amazonaws\.com$/);
            // eu-central-1, now the secondary, writes through its connection pooler (tests/stacks/pooler.spec.ts).
            assert.equal(hostOf(coreEnv(res, "eu-central-1").DATABASE_URL), "saleor-pooler.saleor.svc.cluster.local");
            const pooler = inputs(res.one("kubernetes:core/v1:ConfigMap", "eu-central-1-pooler-config")).data["pgbouncer.ini"];
            assert.ok(pooler.includes(`host=${hostOf(writer)} `), pooler);
            assert.match(hostOf(coreEnv(res, "eu-central-1").DATABASE_URL_REPLICA), /\.eu-central-1\.rds\.amazonaws\.com$/);
            const password = new URL(writer).password;
            const before = new URL(coreEnv(new Resources(normal.resources), "eu-central-1").DATABASE_URL).password;
            assert.equal(password, before, "the stack's one master password: the promoted standby already has it");
        });

        it("writes media to eu-west-1's own bucket from both regions", () => {
            const bucket =
                inputs(res.one("aws:s3/bucket:Bucket", "eu-west-1-data-media")).bucket ??
                res.one("aws:s3/bucket:Bucket", "eu-west-1-data-media").id;
            for (const region of ["eu-west-1", "eu-central-1"]) {
                assert.equal(coreConfig(res, region).AWS_MEDIA_BUCKET_NAME, bucket);
                assert.equal(coreConfig(res, region).AWS_S3_REGION_NAME, "eu-west-1");
            }
            const replication = res.ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig");
            if (stack === "production") {
                assert.deepEqual(
                    replication.map((r) => [r.name, inputs(r).bucket, providerRegion(res, r)]),
                    [["eu-central-1-data-media-replication", bucket, "eu-west-1"]],
                );
            } else {
                assert.equal(replication.length, 0);
            }
        });

        it("backs up the new writer into eu-west-1's vault and copies to eu-central-1's as configured", () => {
            const plans = res.ofType("aws:backup/plan:Plan");
            assert.deepEqual(
                plans.map((p) => p.name),
                ["eu-west-1-data-backups"],
            );
            const [rule] = inputs(plans[0]).rules;
            const vault = (region: string) => res.one("aws:backup/vault:Vault", `${region}-backups`);
            assert.equal(rule.targetVaultName, inputs(vault("eu-west-1")).name ?? vault("eu-west-1").id);
            const copies = (rule.copyActions ?? []).map((c: any) => c.destinationVaultArn);
            assert.deepEqual(
                copies,
                stack === "production" ? [`arn:aws:backup:eu-central-1:123456789012:backup-vault:${vault("eu-central-1").id}`] : [],
            );
        });

        it("keeps the registry and the peering where they were: the home region is the first listed, not the primary", () => {
            const stable = (e: Evaluation) =>
                e.resources
                    .filter((r) => /^aws:ecr\/|^aws:ec2\/vpcPeering/.test(r.type))
                    .map((r) => JSON.stringify([r.urn, r.provider.split("::")[3], r.inputs]))
                    .sort();
            assert.ok(stable(failover).length >= 3);
            assert.deepEqual(stable(failover), stable(normal));
        });

        it("changes nothing stateful on the way back: failing back is the same promotion, in eu-central-1", () => {
            const promoted = back.stateful.find((s) => nameOf(s.urn) === "eu-central-1-data-postgres-writer")!;
            assert.equal(promoted.change, "update");
            assert.equal(nameOf(promoted.renamedFrom!), "eu-central-1-data-postgres-standby");
            assert.deepEqual(
                back.stateful.filter((s) => s.change === "replace"),
                [],
            );
            assert.ok(
                back.stateful.every((s) => s.type === RDS),
                back.stateful.map((s) => `${s.change} ${nameOf(s.urn)}`).join(", "),
            );
        });

        it("leaves every stateful resource outside the database where a failover finds it", () => {
            const stateful = (e: Evaluation) =>
                e.resources
                    .filter((r) => isStatefulType(r.type) && r.type !== RDS)
                    .map((r) => JSON.stringify([r.urn, r.provider.split("::")[3], r.protect]))
                    .sort();
            assert.deepEqual(stateful(failover), stateful(normal));
        });
    });
}
