import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDeployArgs } from "../automation/deploy/args";

/**
 * The plan and policy commands the README and the docs show, run as written, through npm, in the
 * order the documents give them, so the files one command writes are read by the next. Options
 * shown in [brackets] are left out. The deploy driver's commands need the Pulumi CLI and a cloud past
 * their arguments, which these machines do not have: each is checked by the driver's own argument
 * parser as written, and its own specs test the rest through its seams.
 */
const root = path.resolve(__dirname, "..");
const documents = [
    "README.md",
    ...fs.readdirSync(path.join(root, "docs")).map((f) => path.join("docs", f)),
    path.join("policy", "README.md"),
];

/** `npm run plan|policy ...` lines of the documents' shell blocks, comments and [optional] parts removed. */
function commandsOf(file: string, scripts = "plan|policy"): string[] {
    const text = fs.readFileSync(path.join(root, file), "utf8");
    const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
    return blocks
        .flatMap((b) => b.split("\n"))
        .map((l) =>
            l
                .replace(/\s+#.*$/, "")
                .replace(/\s*\[[^\]]*\]/g, "")
                .trim(),
        )
        .filter((l) => new RegExp(`^npm run (${scripts}) `).test(l));
}

/** A command line's words as bash splits them: on spaces, with "double" and 'single' quoted words kept whole. */
function words(line: string): string[] {
    return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

describe("the documents' plan and policy commands, run as written", () => {
    const written: string[] = [];
    after(() => {
        for (const f of written) fs.rmSync(path.join(root, f), { force: true });
    });

    for (const file of documents) {
        const commands = commandsOf(file);
        if (commands.length === 0) continue;
        it(`${file}: ${commands.length} command(s) exit 0 and leave the files the next one reads`, () => {
            for (const command of commands) {
                const out = /--out (\S+)/.exec(command)?.[1];
                if (out) written.push(out);
                const r = spawnSync("bash", ["-c", command], { cwd: root, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
                assert.equal(r.status, 0, `${file}: ${command}\n${r.stderr}`);
                if (out) assert.ok(JSON.parse(fs.readFileSync(path.join(root, out), "utf8")).steps.length > 0, `${command} wrote ${out}`);
            }
        });
    }

    // The deploy driver's commands need the Pulumi CLI and an AWS account past their arguments: each is
    // given to the driver's own argument parser, as written, and must be one it accepts.
    for (const file of documents) {
        const deploys = commandsOf(file, "deploy");
        if (deploys.length === 0) continue;
        it(`${file}: ${deploys.length} deploy command(s) are ones the driver accepts, as written`, () => {
            for (const command of deploys) {
                const [npm, run, script, separator, ...argv] = words(command);
                assert.deepEqual([npm, run, script, separator], ["npm", "run", "deploy", "--"], command);
                const parsed = parseDeployArgs(argv);
                assert.notEqual(parsed.kind, "problems", `${file}: ${command}\n${"problems" in parsed ? parsed.problems.join("\n") : ""}`);
            }
        });
    }

    it("npm run deploy -- --help runs as written, without the Pulumi CLI", () => {
        const r = spawnSync("bash", ["-c", "npm run -s deploy -- --help"], {
            cwd: root,
            encoding: "utf8",
            env: { ...process.env, NODE_OPTIONS: "" },
        });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /--stack/);
    });

    it("finds the commands it is meant to run", () => {
        assert.ok(commandsOf(path.join("docs", "releasing.md"), "deploy").length >= 3);
        assert.ok(commandsOf("README.md").length >= 2);
        assert.ok(commandsOf(path.join("policy", "README.md")).some((c) => c.startsWith("npm run policy -- plan.json")));
    });
});
