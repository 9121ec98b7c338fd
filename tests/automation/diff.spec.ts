import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { changedPaths, diffPlans, readPlanFile, statesOf, type PlanLike } from "../../automation/plan/diff";
import { projectRoot } from "../../automation/plan/evaluate";
import { toPlanDocument, type PlanDocument, type PlanStep } from "../../automation/plan/json";
import { pathTouches, REPLACE_FIELDS, replaceFieldsFor, replaceFieldsHit } from "../../automation/plan/replace-fields";
import { isStatefulType } from "../../automation/stateful";
import { workloadTypes } from "../support/harness";
import { evaluated, planOf, runCli } from "../support/plans";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-"));
function writePlan(name: string, doc: unknown): string {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, JSON.stringify(doc, null, 2));
    return file;
}
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const step = (doc: PlanLike, name: string, type: string): PlanStep => {
    const s = doc.steps.find((x) => x.urn.endsWith(`::${name}`) && x.newState?.type === type);
    assert.ok(s, `${type} ${name} in the plan`);
    return s;
};
const RDS = "aws:rds/instance:Instance";
const BUCKET = "aws:s3/bucket:Bucket";

/** The production stack's config file plus a new release, for runs through the CLI. */
function releaseConfig(release: string): string {
    const file = path.join(tmp, `production-${release}.yaml`);
    const text = fs.readFileSync(path.join(projectRoot, "Pulumi.production.yaml"), "utf8").replace(/\s*$/, "\n");
    assert.match(text, /^config:\s*$/m);
    assert.doesNotMatch(text, /saleor:release:/, "the fixture appends the release key");
    fs.writeFileSync(file, `${text}  saleor:release: "${release}"\n`);
    return file;
}

describe("plan diff: paths and replace fields", () => {
    it("names changed input paths the way a preview does, list indices and odd keys included", () => {
        const a = {
            metadata: { name: "a", labels: { "app.kubernetes.io/name": "saleor" } },
            spec: { containers: [{ image: "x:1" }, { image: "y" }] },
        };
        const b = {
            metadata: { name: "b", labels: { "app.kubernetes.io/name": "other" } },
            spec: { containers: [{ image: "x:2" }, { image: "y" }, { image: "z" }] },
        };
        assert.deepEqual(changedPaths(a, b), [
            'metadata.labels["app.kubernetes.io/name"]',
            "metadata.name",
            "spec.containers[0].image",
            "spec.containers[2]",
        ]);
        assert.deepEqual(changedPaths(a, clone(a)), []);
        assert.deepEqual(changedPaths({ __defaults: ["name"], x: 1 }, { x: 1 }), [], "engine bookkeeping (__defaults) is ignored");
    });

    it("treats secrets as opaque: [secret] in both plans is unchanged, a secret that appears or goes is a change", () => {
        assert.deepEqual(changedPaths({ password: "[secret]" }, { password: "[secret]" }), []);
        assert.deepEqual(changedPaths({ password: "[secret]" }, { password: "hunter2" }), ["password"]);
        assert.deepEqual(changedPaths({ stringData: "[secret]" }, { stringData: { KEY: "v" } }), ["stringData"]);
    });

    it("matches a change at, inside or above a replace field", () => {
        assert.ok(pathTouches("spec.template.spec.containers[0].image", "spec.template"));
        assert.ok(pathTouches("spec", "spec.template"), "a whole new spec replaces the template too");
        assert.ok(pathTouches("metadata.name", "metadata.name"));
        assert.ok(!pathTouches("metadata.namespaceLabel", "metadata.namespace"));
        assert.ok(!pathTouches("spec.templates", "spec.template"));
        assert.ok(pathTouches("spec.containers[3].image", "spec.containers[*].image"));
        assert.deepEqual(replaceFieldsHit("kubernetes:batch/v1:Job", ["metadata.name", "spec.template.spec.containers[0].image"]), [
            "metadata.name",
            "spec.template",
        ]);
        assert.deepEqual(replaceFieldsHit("kubernetes:apps/v1:Deployment", ["spec.template.spec.containers[0].image"]), []);
        assert.deepEqual(replaceFieldsHit("kubernetes:core/v1:Service", ["spec.type"]), [], "a Service's type is patched in place");
    });

    it("knows ConfigMaps and Secrets are replaced on a data change unless the provider makes them mutable", () => {
        assert.deepEqual(replaceFieldsHit("kubernetes:core/v1:ConfigMap", ["data.KEY"]), ["data"]);
        assert.deepEqual(replaceFieldsHit("kubernetes:core/v1:ConfigMap", ["data.KEY"], { enableConfigMapMutable: true }), []);
        assert.deepEqual(replaceFieldsHit("kubernetes:core/v1:Secret", ["stringData"], { enableSecretMutable: "true" }), []);
    });

    it("every AWS field it says the typings document is documented so in the installed .d.ts", () => {
        const typed = REPLACE_FIELDS.filter((g) => g.source === "typings");
        assert.ok(typed.length >= 3);
        for (const g of typed) {
            for (const type of g.types) {
                const text = fs.readFileSync(dtsOf(type), "utf8");
                assert.ok(g.documented && text.includes(g.documented), `${type}: "${g.documented}" in ${dtsOf(type)}`);
                for (const f of g.fields) assert.ok(text.includes(`${f}`), `${type}.${f} is in the typings`);
            }
        }
    });

    it("every AWS field in the table is an input of the installed typings (a rename upstream is caught)", () => {
        const inputs = fs.readFileSync(require.resolve("@pulumi/aws/types/input.d.ts"), "utf8");
        for (const g of REPLACE_FIELDS) {
            for (const type of g.types.filter((t) => t.startsWith("aws:"))) {
                const text = fs.readFileSync(dtsOf(type), "utf8");
                const args = /export interface \w+Args \{([\s\S]*?)\n\}/.exec(text)?.[1] ?? "";
                assert.ok(args, `${type} has an Args interface`);
                for (const f of g.fields) {
                    const [top, ...rest] = f.split(".");
                    assert.match(args, new RegExp(`\\n\\s+${top}\\??:`), `${type}: ${top} is an input (${g.cite})`);
                    if (rest.length) assert.match(inputs, new RegExp(`\\n\\s+${rest.at(-1)!.replace("[*]", "")}\\??:`), `${type}: ${f}`);
                }
            }
        }
    });

    it("cites a source for every group and covers every stateful type the program uses", async () => {
        for (const g of REPLACE_FIELDS) assert.ok(g.cite.length > 10, g.types.join());
        const types = new Set<string>();
        for (const stack of ["dev", "staging", "production"]) for (const s of (await planOf(stack)).steps) types.add(s.newState!.type);
        for (const t of types) if (isStatefulType(t)) assert.ok(replaceFieldsFor(t).length > 0, `${t} has replace fields`);
    });
});

describe("plan diff: the production stack", () => {
    let base: PlanDocument;
    before(async () => {
        base = await planOf("production");
    });

    it("the plan against itself is empty, and the CLI exits 0", async () => {
        const { diff } = diffPlans(clone(base), base, "itself");
        assert.deepEqual(diff.regions, {});
        assert.deepEqual(diff.stateful, []);
        assert.equal(diff.summary.same, base.steps.length - 1, "every resource but the stack is unchanged");
        assert.equal(diff.secretsCompared, false);

        const run = await runCli(["--stack", "production", "--no-policy", "--diff-against", writePlan("itself.json", base)]);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /No changes: every resource is the same\./);
        assert.match(run.stdout, /Secret values are not compared/);
    });

    it("a new release replaces the database-role, migration and collectstatic Jobs and the canaries' gates (metadata.name), updates the Deployments, changes nothing stateful", async () => {
        const r = { evaluation: await evaluated("production", { "saleor:release": "3.23.6" }) };
        assert.ok("evaluation" in r, JSON.stringify(r));
        const { diff, changes } = diffPlans(base, toPlanDocument(r.evaluation), "base");
        assert.deepEqual(diff.stateful, []);

        const primary = diff.regions["eu-central-1"];
        assert.deepEqual(primary.replace.map((j) => j.urn.split("::").pop()).sort(), [
            // A gate is named by its Rollout's template and its (Core) image: the storefront's and the
            // Dashboard's run again with the new Core image and find their Rollouts Healthy at once.
            "eu-central-1-core-api-gate",
            "eu-central-1-core-collectstatic",
            "eu-central-1-core-dashboard-gate",
            "eu-central-1-core-database-role",
            "eu-central-1-core-migrate",
            "eu-central-1-storefront-gate",
        ]);
        for (const job of primary.replace) {
            assert.equal(job.type, "kubernetes:batch/v1:Job");
            assert.ok(job.replaceFields.includes("metadata.name"), job.replaceFields.join());
            assert.ok(job.paths.includes("metadata.name"));
        }

        const updated = Object.values(diff.regions).flatMap((x) => x.update);
        assert.ok(updated.length >= 4);
        for (const u of updated) {
            // Deployments, and on AWS the API's and the storefront's Rollouts.
            assert.ok(workloadTypes.includes(u.type), u.urn);
            assert.ok(
                u.paths.some((p) => /^spec\.template\.spec\.containers\[\d+\]\.image$/.test(p)),
                u.paths.join(),
            );
        }
        assert.deepEqual(
            updated
                .map((u) => u.urn.split("::").pop())
                .filter((n) => /core-api$/.test(n!))
                .sort(),
            ["eu-central-1-core-api", "eu-west-1-core-api"],
        );
        // The new image is built once for every region; the old one goes.
        assert.ok(diff.regions["stack-wide"].create.some((u) => u.endsWith("::core-3.23.6-image")));
        assert.ok(diff.regions["stack-wide"].delete.some((u) => u.endsWith("::core-3.23.5-image")));
        for (const job of primary.replace) assert.equal(changes.get(job.urn)!.op, "replace");

        const run = await runCli([
            "--stack",
            "production",
            "--no-policy",
            "--config-file",
            releaseConfig("3.23.6"),
            "--diff-against",
            writePlan("base.json", base),
            "--json",
        ]);
        assert.equal(run.code, 0, run.stderr);
        const json = JSON.parse(run.stdout);
        assert.deepEqual(Object.keys(json).slice(0, 7), [
            "stack",
            "against",
            "againstKind",
            "regions",
            "stateful",
            "summary",
            "secretsCompared",
        ]);
        assert.ok(json.regions["eu-central-1"].replace[0].replaceFields.includes("metadata.name"));
        assert.deepEqual(json.stateful, []);
    });

    it("an RDS instance whose storageEncrypted changed is a stateful replacement: exit 3, naming the field", async () => {
        const earlier = clone(base);
        const writer = step(earlier, "eu-central-1-data-postgres-writer", RDS);
        assert.equal(writer.newState!.inputs.storageEncrypted, true);
        writer.newState!.inputs.storageEncrypted = false;
        const run = await runCli(["--stack", "production", "--no-policy", "--diff-against", writePlan("unencrypted.json", earlier)]);
        assert.equal(run.code, 3, run.stdout + run.stderr);
        assert.match(
            run.stdout,
            /\+- replace\s+aws:rds\/instance:Instance\s+eu-central-1-data-postgres-writer\n\s+forced by: storageEncrypted/,
        );
        assert.match(run.stdout, /STATEFUL: 1 change/);
        assert.match(
            run.stdout.replace(/\s+/g, " "),
            /replace aws:rds\/instance:Instance eu-central-1-data-postgres-writer \[eu-central-1\] \(forced by storageEncrypted: a new, empty resource\) \[protected/,
        );
        for (const line of run.stdout.split("\n")) assert.ok(line.length <= 100, line);
    });

    it("a regenerated SECRET_KEY or JWT signing key is a stateful replacement: exit 3 (it logs every user out)", async () => {
        const earlier = clone(base);
        step(earlier, "saleor-secret-key", "random:index/randomPassword:RandomPassword").newState!.inputs.length = 50;
        step(earlier, "saleor-jwt-key", "tls:index/privateKey:PrivateKey").newState!.inputs.rsaBits = 2048;
        const run = await runCli(["--stack", "production", "--no-policy", "--diff-against", writePlan("new-keys.json", earlier), "--json"]);
        assert.equal(run.code, 3, run.stdout + run.stderr);
        const json = JSON.parse(run.stdout);
        assert.deepEqual(json.stateful.map((s: any) => [s.change, s.type, s.replaceFields]).sort(), [
            ["replace", "random:index/randomPassword:RandomPassword", ["length"]],
            ["replace", "tls:index/privateKey:PrivateKey", ["rsaBits"]],
        ]);
    });

    it("a Secrets Manager secret whose name changed is a stateful replacement: exit 3 (the old name stays reserved while deleted)", async () => {
        const earlier = clone(base);
        step(earlier, "saleor-secrets-secret-key", "aws:secretsmanager/secret:Secret").newState!.inputs.name = "saleor/old/secret-key";
        const run = await runCli([
            "--stack",
            "production",
            "--no-policy",
            "--diff-against",
            writePlan("renamed-secret.json", earlier),
            "--json",
        ]);
        assert.equal(run.code, 3, run.stdout + run.stderr);
        assert.deepEqual(
            JSON.parse(run.stdout).stateful.map((s: any) => [s.change, s.type, s.replaceFields]),
            [["replace", "aws:secretsmanager/secret:Secret", ["name"]]],
        );
    });

    it("an S3 bucket whose name changed is a stateful replacement: exit 3, naming bucket", async () => {
        const earlier = clone(base);
        const bucket = step(earlier, "eu-central-1-data-media", BUCKET);
        bucket.newState!.inputs.bucket = "saleor-media-old-name";
        const run = await runCli([
            "--stack",
            "production",
            "--no-policy",
            "--diff-against",
            writePlan("renamed-bucket.json", earlier),
            "--json",
        ]);
        assert.equal(run.code, 3);
        const json = JSON.parse(run.stdout);
        assert.deepEqual(
            json.stateful.map((s: any) => [s.change, s.type, s.replaceFields]),
            [["replace", BUCKET, ["bucket"]]],
        );
        assert.equal(json.regions["eu-central-1"].replace[0].urn, bucket.urn);
    });

    it("a failover follows the standby's alias: the promotion is an update, the old writer's retained delete is named, exit 3", async () => {
        const file = path.join(tmp, "production-failover.yaml");
        const text = fs.readFileSync(path.join(projectRoot, "Pulumi.production.yaml"), "utf8");
        fs.writeFileSync(
            file,
            text
                .replace(/role: primary/, "role: TMP")
                .replace(/role: secondary/, "role: primary")
                .replace(/role: TMP/, "role: secondary"),
        );
        const run = await runCli([
            "--stack",
            "production",
            "--no-policy",
            "--config-file",
            file,
            "--diff-against",
            writePlan("base.json", base),
        ]);
        assert.equal(run.code, 3, run.stdout + run.stderr);
        const flat = run.stdout.replace(/\s+/g, " ");
        assert.match(
            flat,
            /~ update aws:rds\/instance:Instance eu-west-1-data-postgres-writer was: eu-west-1-data-postgres-standby \(alias\)/,
        );
        assert.match(
            flat,
            /promotes the read replica to a standalone writer \(replicateSourceDb removed\); engine, dbName, username are inherited from its source, not changed/,
        );
        assert.match(
            flat,
            /delete aws:rds\/instance:Instance eu-central-1-data-postgres-writer \[eu-central-1\] \(leaves the stack, stays in the cloud: retainOnDelete\) \[protected/,
        );
        assert.doesNotMatch(
            flat,
            /eu-west-1-data-postgres-standby \[eu-west-1\] \(deleted/,
            "the standby is not deleted: it became the writer",
        );
        for (const line of run.stdout.split("\n")) assert.ok(line.length <= 100, line);
    });

    it("reads a `pulumi preview --json` document: newState per step, oldState for deletes", async () => {
        // A preview as the engine prints it: ops other than create, outputs, ids, __defaults, a read
        // of an external resource, and a delete of something the program no longer declares.
        const preview: PlanLike & Record<string, unknown> = {
            config: {},
            changeSummary: { same: base.steps.length },
            steps: base.steps.map((s) => ({
                op: "same",
                urn: s.urn,
                oldState: clone(s.newState!),
                newState: { ...clone(s.newState!), id: "x", outputs: {}, inputs: { ...clone(s.newState!.inputs), __defaults: [] } },
            })),
        };
        const stale = {
            ...clone(step(base, "eu-west-1-data-media", BUCKET).newState!),
            urn: base.steps[0].urn.replace(
                /::[^:]+::[^:]+$/,
                "::saleor:components:DataTier$aws:s3/bucket:Bucket::eu-west-1-data-old-media",
            ),
        };
        stale.parent = step(base, "eu-west-1-data-media", BUCKET).newState!.parent;
        preview.steps.push({ op: "delete", urn: stale.urn, oldState: stale });
        preview.steps.push({ op: "read", urn: `${stale.urn}-external`, newState: { ...stale, urn: `${stale.urn}-external` } });

        const states = statesOf(preview);
        assert.ok(states.has(stale.urn), "a delete contributes its oldState");
        assert.ok(!states.has(`${stale.urn}-external`), "a read is not managed by the program");
        const file = writePlan("preview.json", preview);
        assert.ok("doc" in readPlanFile(file));

        const run = await runCli(["--stack", "production", "--no-policy", "--diff-against", file, "--json"]);
        assert.equal(run.code, 3, "the old bucket would be deleted");
        const json = JSON.parse(run.stdout);
        assert.equal(json.againstKind, "pulumi-preview");
        assert.deepEqual(json.regions, { "eu-west-1": { create: [], update: [], replace: [], delete: [stale.urn] } });
        assert.deepEqual(
            json.stateful.map((s: any) => [s.change, s.urn]),
            [["delete", stale.urn]],
        );
    });

    it("reads the policy fixture's real preview: create-replacement wins over delete-replaced, deletes keep oldState", () => {
        const read = readPlanFile(path.join(projectRoot, "tests/policy/fixtures/plans/preview-production.json"));
        assert.ok("doc" in read);
        const states = statesOf(read.doc);
        const configMap = [...states.values()].find((s) => s.urn.endsWith("ConfigMap::core-env"))!;
        const replacement = read.doc.steps.find((s) => s.op === "create-replacement")!;
        assert.deepEqual(configMap.inputs, replacement.newState!.inputs);
        assert.ok(
            [...states.keys()].some((u) => u.endsWith("Service::core-api-public")),
            "the deleted Service, from its oldState",
        );
        assert.ok(![...states.values()].some((s) => s.type === "pulumi:pulumi:Stack"));
    });

    it("rejects an earlier plan that cannot be read with exit 2 and one line", async () => {
        const missing = await runCli(["--stack", "production", "--diff-against", path.join(tmp, "nope.json")]);
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /^--diff-against: cannot read .*nope\.json: ENOENT\n$/);
        const wrong = await runCli(["--stack", "production", "--diff-against", writePlan("wrong.json", { resources: [] })]);
        assert.equal(wrong.code, 2);
        assert.match(wrong.stderr, /has no steps\[\] with urns/);
        const flags = await runCli(["--stack", "production", "--markdown"]);
        assert.equal(flags.code, 2);
        assert.match(flags.stderr, /--markdown needs --diff-against/);
    });

    it("prints a Markdown summary for the job summary", async () => {
        const earlier = clone(base);
        step(earlier, "eu-central-1-data-postgres-writer", RDS).newState!.inputs.storageEncrypted = false;
        const run = await runCli(["--stack", "production", "--no-policy", "--diff-against", writePlan("md.json", earlier), "--markdown"]);
        assert.equal(run.code, 3);
        assert.match(run.stdout, /^### Plan diff: production\n/);
        assert.match(run.stdout, /\| eu-central-1 \| 0 \| 0 \| eu-central-1-data-postgres-writer \(storageEncrypted\) \| 0 \|/);
        assert.match(run.stdout, /\*\*1 stateful change\(s\): a person must review\.\*\*/);
    });
});

function dtsOf(type: string): string {
    const [, mod] = type.split(":");
    const [dir, file] = mod.split("/");
    return require.resolve(`@pulumi/aws/${dir}/${file}.d.ts`);
}
