import { strict as assert } from "node:assert";
import { main as policyCli } from "../../automation/policy-cli";
import { parseCommandLine } from "../../automation/cli-args";
import { parseDeployArgs, USAGE as deployUsage } from "../../automation/deploy/args";
import { runCli } from "../support/plans";

const options = {
    stack: { type: "string", short: "s" },
    json: { type: "boolean", short: "j" },
    region: { type: "string", multiple: true },
} as const;

describe("one command-line parser for every CLI", () => {
    it("takes Pulumi's short flags", () => {
        assert.deepEqual(parseCommandLine(["-s", "dev", "-j"], options, "npm run plan --"), {
            values: { stack: "dev", json: true },
            positionals: [],
        });
    });

    it("refuses a one-value flag given twice instead of letting the last win", () => {
        assert.deepEqual(parseCommandLine(["--stack", "dev", "-s", "production"], options, "npm run plan --"), {
            problem: "--stack is given more than once; give it once (npm run plan -- --help lists the options)",
        });
        assert.deepEqual(parseCommandLine(["--region", "a", "--region", "b"], options, "x"), {
            values: { region: ["a", "b"] },
            positionals: [],
        });
    });

    it("answers an unknown flag with the nearest known one and a pointer to --help", () => {
        assert.deepEqual(parseCommandLine(["--stak", "dev"], options, "npm run plan --"), {
            problem: "unknown option --stak; did you mean --stack? (npm run plan -- --help lists the options)",
        });
        assert.deepEqual(parseCommandLine(["--frobnicate"], options, "npm run plan --"), {
            problem: "unknown option --frobnicate (npm run plan -- --help lists the options)",
        });
    });

    it("refuses a missing value and a value on a switch", () => {
        assert.match((parseCommandLine(["--stack"], options, "x") as { problem: string }).problem, /^--stack needs a value/);
        assert.match((parseCommandLine(["--json=yes"], options, "x") as { problem: string }).problem, /^--json takes no value/);
    });

    describe("in each CLI", () => {
        it("plan: -s works, an unknown flag exits 2 with one line", async () => {
            assert.equal((await runCli(["-s", "dev", "--no-policy"])).code, 0);
            const r = await runCli(["--stack", "dev", "--jsno"]);
            assert.equal(r.code, 2);
            assert.equal(r.stderr.trim(), "unknown option --jsno; did you mean --json? (npm run plan -- --help lists the options)");
        });

        it("policy: a repeated --config exits 2 with one line", async () => {
            const err: string[] = [];
            const code = await policyCli(["p.json", "-c", "a.json", "--config", "b.json"], {
                out: () => undefined,
                err: (l) => err.push(l),
            });
            assert.equal(code, 2);
            assert.deepEqual(err, ["error: --config is given more than once; give it once (npm run policy -- --help lists the options)"]);
        });

        it("deploy: -s and -y work, a typo is answered with the nearest flag", () => {
            const ok = parseDeployArgs(["-s", "staging", "--release", "3.23.5", "-y"]);
            assert.equal(ok.kind, "ok");
            const typo = parseDeployArgs(["--stack", "staging", "--release", "3.23.5", "--allow-replase"]);
            assert.deepEqual(typo, {
                kind: "problems",
                problems: ["unknown option --allow-replase; did you mean --allow-replace? (npm run deploy -- --help lists the options)"],
            });
        });

        it("every --help lists the options and the exit codes", async () => {
            const plan = await runCli(["--help"]);
            assert.match(plan.stdout, /exit codes:/i);
            const out: string[] = [];
            await policyCli(["--help"], { out: (l) => out.push(l), err: () => undefined });
            assert.match(out.join("\n"), /--config[\s\S]*exit codes:/i);
            assert.match(deployUsage, /Exit codes:/);
        });
    });
});
