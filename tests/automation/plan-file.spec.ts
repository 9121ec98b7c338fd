import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main as policyCli } from "../../automation/policy-cli";
import { runCli } from "../support/plans";

/**
 * A plan file is what the other commands read: `--out` writes it whole (never npm's banner, never a
 * half-written file), and `--diff-against` and `npm run policy` read it back.
 */
describe("plan files: --out and the commands that read them", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-file-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("writes the plan document to --out, prints the human plan, and the diff and policy commands read the file", async () => {
        const file = path.join(dir, "dev.json");
        const { code, stdout } = await runCli(["--stack", "dev", "--out", file]);
        assert.equal(code, 0);
        assert.match(stdout, /Wrote the plan to .*dev\.json/);
        const doc = JSON.parse(fs.readFileSync(file, "utf8"));
        assert.equal(doc.stack, "dev");
        assert.ok(doc.steps.length > 10);
        assert.deepEqual(fs.readdirSync(dir), ["dev.json"], "no temporary file is left beside it");

        const diff = await runCli(["--stack", "dev", "--diff-against", file]);
        assert.equal(diff.code, 0, diff.stderr);
        const lines: string[] = [];
        const policy = await policyCli([file, "--config", "policy/config/dev.json"], {
            out: (l) => lines.push(l),
            err: (l) => lines.push(l),
        });
        assert.equal(policy, 0, lines.join("\n"));
    });

    it("leaves no file behind when the plan cannot be made", async () => {
        const file = path.join(dir, "bad.json");
        const config = path.join(dir, "Pulumi.bad.yaml");
        fs.writeFileSync(config, "config:\n  saleor:environment: prod\n");
        const { code } = await runCli(["--stack", "dev", "--config-file", config, "--out", file]);
        assert.equal(code, 2);
        assert.equal(fs.existsSync(file), false);
    });

    it("refuses --out with modes that print something else (--diff-against, --timeline)", async () => {
        const { code, stderr } = await runCli(["--stack", "dev", "--timeline", "--out", path.join(dir, "t.json")]);
        assert.equal(code, 2);
        assert.match(stderr, /^--out writes the plan document: not with --diff-against or --timeline/);
    });
});

describe("policy violations reach stderr in every mode", () => {
    // dev's settings judged by production's policy config: single replicas, no disruption budgets.
    const args = ["--stack", "production", "--config-file", "Pulumi.dev.yaml"];

    for (const mode of [["--json"], [], ["--timeline"]]) {
        it(`names each mandatory violation on stderr with ${mode.join(" ") || "the human plan"}, and exits 1`, async () => {
            const { code, stderr } = await runCli([...args, ...mode]);
            assert.equal(code, 1);
            const lines = stderr.trim().split("\n");
            assert.match(lines[0], /^policy: \d+ mandatory violation\(s\) \(policy\/config\/production\.json\)$/);
            assert.ok(lines.length > 1 && lines.slice(1).every((l) => /^ {2}\[[a-z0-9-]+\] .+: .+/.test(l)), stderr);
        });
    }

    it("repeats the user's exact arguments in the hint that lists them", async () => {
        const { stdout } = await runCli([...args, "--timeline"]);
        // The timeline wraps long lines at word boundaries.
        assert.match(stdout.replace(/\n\s+/g, " "), /`npm run plan -- --stack production --config-file Pulumi\.dev\.yaml` lists them/);
    });
});

describe("npm run policy reports mandatory violations on stderr with --json too", () => {
    it("prints the violations document on stdout and each mandatory violation on stderr", async () => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await policyCli(["tests/policy/fixtures/plans/offline-dev.json", "--config", "policy/config/dev.json", "--json"], {
            out: (l) => out.push(l),
            err: (l) => err.push(l),
        });
        assert.equal(code, 1);
        assert.ok(JSON.parse(out.join("\n")).violations.length > 0);
        assert.match(err[0], /^policy: \d+ mandatory violation\(s\) \(policy\/config\/dev\.json\)$/);
        assert.ok(err.length > 1);
    });
});

describe("plans of one stack are compared and judged with that stack", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-stack-"));
    const devPlan = path.join(dir, "dev.json");
    before(async () => {
        assert.equal((await runCli(["--stack", "dev", "--out", devPlan])).code, 0);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("carries its stack and the stack file it was made from", () => {
        const doc = JSON.parse(fs.readFileSync(devPlan, "utf8"));
        assert.deepEqual([doc.stack, doc.configFile], ["dev", "Pulumi.dev.yaml"]);
    });

    it("refuses a diff against another stack's plan unless --allow-cross-stack", async () => {
        const refused = await runCli(["--stack", "staging", "--diff-against", devPlan]);
        assert.equal(refused.code, 2);
        assert.match(refused.stderr, /a plan of stack dev, not staging; compare plans of one stack, or pass --allow-cross-stack/);
        const allowed = await runCli(["--stack", "staging", "--diff-against", devPlan, "--allow-cross-stack"]);
        assert.notEqual(allowed.code, 2, allowed.stderr);
    });

    it("judges a plan with its own stack's policy config when none is named", async () => {
        const lines: string[] = [];
        await policyCli([devPlan], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
        assert.match(lines[0], /\(stack dev, \d+ resources, config policy\/config\/dev\.json\)$/);
    });

    it("refuses another stack's policy config unless --allow-cross-stack", async () => {
        const err: string[] = [];
        const code = await policyCli([devPlan, "--config", "policy/config/production.json"], {
            out: () => undefined,
            err: (l) => err.push(l),
        });
        assert.equal(code, 2);
        assert.match(err[0], /policy\/config\/production\.json is stack production's policy config, and .*dev\.json a plan of stack dev/);
        const allowed = await policyCli([devPlan, "--config", "policy/config/production.json", "--allow-cross-stack"], {
            out: () => undefined,
            err: () => undefined,
        });
        assert.notEqual(allowed, 2);
    });
});

describe("the plan document has what pulumi preview --json consumers read", () => {
    it("carries changeSummary, the config with secrets blinded, diagnostics and the duration", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-fields-"));
        try {
            const file = path.join(dir, "staging.json");
            assert.equal((await runCli(["--stack", "staging", "--out", file, "--no-policy"])).code, 0);
            const doc = JSON.parse(fs.readFileSync(file, "utf8"));
            assert.deepEqual(doc.changeSummary, { create: doc.steps.length });
            assert.equal(doc.config["saleor:environment"], "staging");
            assert.ok(
                Object.keys(doc.config).every((k) => k.includes(":")),
                "keys are namespaced as the engine passes them",
            );
            assert.ok(Number.isInteger(doc.duration) && doc.duration > 0, "nanoseconds, as time.Duration serialises");
            assert.ok(Array.isArray(doc.diagnostics ?? []));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("blinds secret config values", async () => {
        const { evaluateStack } = await import("../../automation/plan/evaluate");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-secret-"));
        try {
            const stackFile = path.join(dir, "Pulumi.dev.yaml");
            fs.writeFileSync(
                stackFile,
                fs.readFileSync("Pulumi.dev.yaml", "utf8") + "  saleor:sentryDsn:\n    secure: v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBB\n",
            );
            const r = await evaluateStack({ stack: "dev", configFile: stackFile });
            assert.ok("evaluation" in r, JSON.stringify(r));
            assert.equal(r.evaluation.config?.["saleor:sentryDsn"], "[secret]");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("a stack file that is not there", () => {
    it("is named as the user gave it, without a list of stacks that does not apply", async () => {
        const { code, stderr } = await runCli(["--stack", "dev", "--config-file", "../../nc/nope.yaml"]);
        assert.equal(code, 2);
        assert.equal(stderr, "--config-file ../../nc/nope.yaml: no such file\n");
    });

    it("lists the stacks there are when the stack itself has no file", async () => {
        const { code, stderr } = await runCli(["--stack", "qa"]);
        assert.equal(code, 2);
        assert.equal(stderr, "stack qa has no stack file Pulumi.qa.yaml (stacks: dev, production, staging)\n");
    });
});

describe("one resource count", () => {
    it("the plan tree, the diff and the JSON count the same resources", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-count-"));
        try {
            const file = path.join(dir, "dev.json");
            const plan = await runCli(["--stack", "dev", "--out", file, "--no-policy"]);
            const doc = JSON.parse(fs.readFileSync(file, "utf8"));
            const resources = doc.steps.filter((s: any) => s.newState.custom && !s.newState.type.startsWith("pulumi:providers:")).length;
            assert.match(plan.stdout, new RegExp(`^Resources: ${resources} \\(plus`, "m"));
            const diff = await runCli(["--stack", "dev", "--diff-against", file, "--no-policy"]);
            assert.match(
                diff.stdout.replace(/\n\s+/g, " "),
                new RegExp(`Summary: resources 0 to create, 0 to update, 0 to replace, 0 to delete, ${resources} unchanged;`),
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
