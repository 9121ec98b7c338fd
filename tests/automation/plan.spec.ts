import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planOf, runCli } from "../support/plans";

describe("offline plan", () => {
    it("--json follows the preview contract: steps with op, urn and newState", async () => {
        const { code, stdout } = await runCli(["--stack", "dev", "--json", "--no-policy"]);
        assert.equal(code, 0);
        const doc = JSON.parse(stdout);
        assert.equal(doc.stack, "dev");
        assert.ok(Array.isArray(doc.steps) && doc.steps.length > 20);
        assert.ok(Array.isArray(doc.policyViolations));
        for (const step of doc.steps) {
            assert.equal(step.op, "create");
            assert.equal(step.urn, step.newState.urn);
            for (const field of ["type", "urn", "custom", "inputs", "dependencies", "protect", "retainOnDelete"]) {
                assert.ok(field in step.newState, `${step.urn} lacks newState.${field}`);
            }
            assert.match(step.urn, /^urn:pulumi:dev::saleor::/);
        }
    });

    it("names a parent for every resource but the stack, and a provider for every custom resource", async () => {
        const doc = await planOf("dev");
        const urns = new Set(doc.steps.map((s) => s.urn));
        for (const s of doc.steps) {
            const st = s.newState!;
            if (st.type === "pulumi:pulumi:Stack") continue;
            assert.ok(st.parent && urns.has(st.parent), `${s.urn} has parent ${st.parent}`);
            if (st.custom && !st.type.startsWith("pulumi:providers:")) {
                const providerUrn = st.provider!.split("::").slice(0, -1).join("::");
                assert.ok(urns.has(providerUrn), `${s.urn}'s provider ${providerUrn} is in the plan`);
            }
        }
    });

    it("records dependencies from dependsOn and from Output inputs", async () => {
        const doc = await planOf("dev");
        const byName = (n: string, t: string) => doc.steps.find((s) => s.urn.endsWith(`::${n}`) && s.newState!.type === t)!.newState!;
        const job = byName("local-core-migrate", "kubernetes:batch/v1:Job");
        const api = byName("local-core-api", "kubernetes:argoproj.io/v1alpha1:Rollout");
        assert.ok(api.dependencies.includes(job.urn), "explicit dependsOn");
        const secret = byName("local-core-env", "kubernetes:core/v1:Secret");
        assert.ok(job.dependencies.includes(secret.urn), "derived from the Secret name Output");
    });

    it("prints secrets as [secret] and never their values", async () => {
        const { stdout } = await runCli(["--stack", "dev", "--json", "--no-policy"]);
        assert.ok(stdout.includes('"[secret]"'));
        const doc = JSON.parse(stdout);
        const secret = doc.steps.find((s: any) => s.urn.endsWith("::local-core-env")).newState;
        assert.equal(secret.inputs.stringData, "[secret]");
        // The mock runtime's generated passwords and keys must not appear anywhere.
        assert.ok(!/BEGIN RSA PRIVATE KEY/.test(stdout));
        assert.ok(!/postgres:\/\/saleor:[A-Za-z0-9]+@/.test(stdout));
        assert.ok(!/redis:\/\/:[A-Za-z0-9]+@/.test(stdout));
    });

    it("prints a resource tree, counts per type and per region, and the outputs", async () => {
        const { code, stdout } = await runCli(["--stack", "dev", "--no-policy"]);
        assert.equal(code, 0);
        assert.match(stdout, /^pulumi:pulumi:Stack {2}saleor-dev$/m);
        assert.match(stdout, /├─ saleor:components:SaleorCore {2}local-core/);
        assert.match(stdout, /By type:\n(\s+\d+ {2}\S+\n)*\s+3 {2}kubernetes:apps\/v1:Deployment\n/);
        assert.match(stdout, /By region:\n\s+\d+ {2}local\n/);
        assert.match(stdout, /"graphql": "http:\/\/api\.localhost\/graphql\/"/);
    });

    it("exits 2 with one line per problem, naming the key, and evaluates nothing on bad config", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
        const file = path.join(dir, "bad.yaml");
        fs.writeFileSync(
            file,
            [
                "config:",
                "  saleor:environment: production",
                "  saleor:dashboardVersion: 3.20.1",
                "  saleor:workloads:",
                "    api: { replicas: 1 }",
                "    beat: { replicas: 2 }",
                "  saleor:regions:",
                "    - { name: eu-central-1, role: primary, vpcCidr: 10.10.0.0/16, hosts: { api: a.example.com, dashboard: d.example.com, storefronts: { de: de.example.com } } }",
                "    - { name: eu-nowhere-9, role: secondary, vpcCidr: 10.20.0.0/16, hosts: { api: b.example.com, dashboard: e.example.com, storefronts: { nl: nl.example.com } } }",
                "  saleor:images:",
                "    storefront: { source: image, repository: registry.example.com/storefront, tag: 1.0.0 }",
                "  saleor:cluster:",
                "    aws:",
                "      deployRoleArn: 'arn:aws:iam::123456789012:role/saleor-deploy-production'",
                "      permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/saleor-bootstrap/saleor-production-workload-boundary'",
                "",
            ].join("\n"),
        );
        const { code, stdout, stderr } = await runCli(["--stack", "production", "--config-file", file]);
        assert.equal(code, 2);
        assert.equal(stdout, "");
        const lines = stderr.trim().split("\n");
        assert.ok(lines.length >= 4, stderr);
        for (const l of lines) assert.match(l, /^saleor:[A-Za-z]/);
        assert.ok(!/\n\s+at /.test(stderr), "no stack trace");
        assert.ok(lines.some((l) => l.startsWith('saleor:regions[1].name: "eu-nowhere-9" is not a known AWS region')));
    });

    it("exits 2 on an unknown stack or a missing --stack, with the usage", async () => {
        const unknown = await runCli(["--stack", "qa"]);
        assert.equal(unknown.code, 2);
        assert.match(unknown.stderr, /stack qa has no stack file Pulumi\.qa\.yaml \(stacks: dev, production, staging\)/);
        const missing = await runCli([]);
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /--stack is required/);
    });
});

describe("plan CLI as a process", () => {
    it("hands a slow pipe the whole production plan before exiting", async function () {
        this.timeout(120000);
        const { spawn } = await import("child_process");
        const { projectRoot } = await import("../../automation/plan/evaluate");
        const child = spawn(
            process.execPath,
            ["-r", "./automation/register.js", "automation/plan-cli.ts", "--stack", "production", "--json", "--no-policy"],
            {
                cwd: projectRoot,
                stdio: ["ignore", "pipe", "pipe"],
            },
        );
        // Read nothing until the process has had time to finish writing: the pipe fills up.
        child.stdout.pause();
        const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
        await new Promise((r) => setTimeout(r, 500));
        const chunks: Buffer[] = [];
        child.stdout.on("data", (c: Buffer) => chunks.push(c));
        child.stdout.resume();
        const ended = new Promise((resolve) => child.stdout.on("end", resolve));
        const [code] = await Promise.all([exited, ended]);
        assert.equal(code, 0);
        const text = Buffer.concat(chunks).toString("utf8");
        assert.ok(text.length > 256 * 1024, `a production plan is well over a pipe's buffer (${text.length} bytes)`);
        assert.ok(JSON.parse(text).steps.length > 300);
    });

    it("fails with exit 4, naming the stuck resource, when the program never finishes", async function () {
        this.timeout(60000);
        const { spawnSync } = await import("child_process");
        const { projectRoot, programErrorExitCode } = await import("../../automation/plan/evaluate");
        const r = spawnSync(process.execPath, ["-r", "./automation/register.js", "tests/support/never-finishes.ts"], {
            cwd: projectRoot,
            encoding: "utf8",
        });
        assert.equal(r.status, programErrorExitCode);
        assert.equal(r.stdout, "", "the evaluation did not finish");
        assert.match(
            r.stderr,
            /^the program never finished when nothing was left to run .*: 1 resource\(s\) never registered: resource:stuck\[test:index:Thing\]\n$/,
        );
    });
});
