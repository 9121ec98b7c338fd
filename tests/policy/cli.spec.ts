import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../../automation/policy-cli";

const root = path.join(__dirname, "..", "..");
const plans = path.join(__dirname, "fixtures", "plans");
const devPlan = path.join(plans, "offline-dev.json");
const previewPlan = path.join(plans, "preview-production.json");
const config = (stack: string) => path.join(root, "policy", "config", `${stack}.json`);

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
}

function tempFile(name: string, content: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-cli-"));
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
}

describe("npm run policy (automation/policy-cli.ts)", () => {
    it("exits 1 on a mandatory violation and prints violations grouped by level with URN and message", async () => {
        // Production's own config with the backup rule relaxed, so both levels appear.
        const production = JSON.parse(fs.readFileSync(config("production"), "utf8"));
        production["aws-backup-plan-frequency-and-retention"].enforcementLevel = "advisory";
        const mixed = tempFile("production.json", JSON.stringify(production));
        const { code, out } = await run(previewPlan, "--config", mixed);
        assert.strictEqual(code, 1);
        assert.match(
            out[0],
            /^saleor-guard: 4 mandatory, 1 advisory violation\(s\) \(stack production, 12 resources, config .*production.json\)$/,
        );
        const mandatory = out.indexOf("mandatory (4)");
        const advisory = out.indexOf("advisory (1)");
        assert.ok(mandatory > 0 && advisory > mandatory, out.join("\n"));
        assert.ok(
            out.includes(
                "  [aws-rds-instance-multi-az-enabled] urn:pulumi:production::saleor::saleor:components:DataTier$aws:rds/instance:Instance::saleor-db",
            ),
        );
        assert.ok(out.includes('    RDS instance "saleor-db" runs in a single Availability Zone; set multiAz: true.'));
    });

    it("exits 0 when only advisory violations remain", async () => {
        const relaxed = tempFile("relaxed.json", JSON.stringify({ all: "advisory" }));
        const { code, out } = await run(previewPlan, "--config", relaxed);
        assert.strictEqual(code, 0);
        assert.match(out[0], /0 mandatory, 5 advisory/);
    });

    it("exits 0 and says so when nothing is violated", async () => {
        // One rule the plan does not touch (it has no ECR repository), every other one off.
        const quiet = tempFile(
            "quiet.json",
            JSON.stringify({
                all: { enforcementLevel: "disabled", reason: "one rule checked alone" },
                "aws-ecr-repository-tags-immutable": "mandatory",
            }),
        );
        const { code, out } = await run(devPlan, "-c", quiet);
        assert.strictEqual(code, 0);
        assert.strictEqual(out[0], "saleor-guard: 0 mandatory, 0 advisory violation(s) (stack dev, 12 resources, config " + quiet + ")");
        // What was not checked follows, every disabled mandatory rule with the reason.
        assert.strictEqual(out[1], "");
        const count = new RegExp(`^mandatory rules disabled by ${quiet.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} \\((\\d+)\\)$`).exec(
            out[2],
        );
        assert.ok(count, out[2]);
        // Every mandatory rule of the pack but the one left on, each listed once with the reason.
        const listed = out.slice(3).filter((line) => line.trim() !== "");
        assert.strictEqual(listed.length, Number(count[1]));
        assert.ok(Number(count[1]) >= 40);
        assert.ok(listed.every((line) => / one rule checked alone$/.test(line)));
    });

    it("without --config it judges the plan with its own stack's config, policy/config/<stack>.json", async () => {
        const { code, out, err } = await run(devPlan);
        assert.strictEqual(code, 1);
        assert.match(
            out[0],
            /^saleor-guard: 5 mandatory, 0 advisory violation\(s\) \(stack dev, 12 resources, config .*policy\/config\/dev\.json\)$/,
        );
        assert.match(err[0], /^policy: 5 mandatory violation\(s\)/);
    });

    it("--json prints the violations for machines", async () => {
        const { code, out } = await run(devPlan, "--config", config("dev"), "--json");
        assert.strictEqual(code, 1);
        const parsed = JSON.parse(out.join("\n"));
        assert.strictEqual(parsed.violations.length, 5);
        assert.deepStrictEqual(Object.keys(parsed.violations[0]).sort(), [
            "enforcementLevel",
            "message",
            "policyName",
            "policyPackName",
            "urn",
        ]);
    });

    const usageCases: [string, string[], RegExp][] = [
        ["no plan file", [], /^error: missing the plan file \(npm run policy -- --help lists the options\)$/],
        ["two plan files", [devPlan, previewPlan], /^error: expected one plan file, got 2/],
        ["an unknown option", [devPlan, "--strict"], /^error: unknown option --strict \(npm run policy -- --help lists the options\)$/],
        ["a missing plan file", ["no-such-plan.json"], /^error: cannot read plan no-such-plan.json \(ENOENT\)$/],
        ["a plan that is not JSON", [tempFile("plan.json", "{not json")], /^error: plan .*plan.json is not valid JSON/],
        ["a JSON file that is not a plan", [tempFile("plan.json", "[]")], /^error: the plan has no steps array/],
        [
            "a config naming no policy of the pack",
            [devPlan, "--config", tempFile("c.json", '{"no-such-rule": "mandatory"}')],
            /^error: policy config .*no-such-rule: no policy of this pack has that name$/,
        ],
        [
            "a config with a bad level",
            [devPlan, "--config", tempFile("c.json", '{"all": "strict"}')],
            /"strict" is not an enforcement level/,
        ],
    ];
    for (const [what, argv, message] of usageCases) {
        it(`exits 2 with one line on ${what}`, async () => {
            const { code, out, err } = await run(...argv);
            assert.strictEqual(code, 2);
            assert.deepStrictEqual(out, []);
            assert.strictEqual(err.length, 1, err.join("\n"));
            assert.match(err[0], message);
        });
    }

    it("--help prints the usage and exits 0", async () => {
        const { code, out } = await run("--help");
        assert.strictEqual(code, 0);
        assert.match(out[0], /^usage: npm run policy --/);
    });

    describe("as a process (node -r ./automation/register.js automation/policy-cli.ts)", () => {
        const spawn = (...argv: string[]) =>
            spawnSync(process.execPath, ["-r", "./automation/register.js", path.join("automation", "policy-cli.ts"), ...argv], {
                cwd: root,
                encoding: "utf8",
            });
        it("exits 1 on the dev plan's mandatory violations", () => {
            const result = spawn(devPlan, "--config", config("dev"));
            assert.strictEqual(result.status, 1, result.stderr);
            assert.match(result.stdout, /^saleor-guard: 5 mandatory, 0 advisory/);
        });
        it("exits 2 on an unreadable file with one line and no stack trace", () => {
            const result = spawn("missing.json");
            assert.strictEqual(result.status, 2);
            assert.strictEqual(result.stderr, "error: cannot read plan missing.json (ENOENT)\n");
        });
    });
});
