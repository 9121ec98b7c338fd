import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { listStacks } from "./plan/evaluate";

/**
 * Times the offline plan of each stack against the floor every Pulumi program on this SDK pays:
 * loading @pulumi/aws. Both are measured in the same run, as medians, so the ratio holds on
 * whatever machine runs it.
 */
const root = path.resolve(__dirname, "..");

function timeRuns(label: string, command: string, args: string[], runs: number): number {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
        const start = process.hrtime.bigint();
        const r = spawnSync(command, args, { cwd: root, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NODE_OPTIONS: "" } });
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (r.status !== 0 && r.status !== 1) {
            throw new Error(`${label} failed (exit ${r.status}): ${r.stderr?.toString().slice(0, 2000)}`);
        }
        times.push(ms);
    }
    return median(times);
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function main() {
    const { values } = parseArgs({
        args: process.argv.slice(2),
        options: {
            runs: { type: "string", default: "5" },
            stack: { type: "string", multiple: true },
            tests: { type: "boolean", default: false },
            ci: { type: "boolean", default: false },
        },
    });
    const runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs takes a whole number >= 1");
    const stacks = values.stack ?? listStacks();

    const baseline = timeRuns("baseline", process.execPath, ["-e", "require('@pulumi/aws')"], runs);
    console.log(`runs per measurement: ${runs} (median)`);
    console.log(`baseline  node -e "require('@pulumi/aws')": ${baseline.toFixed(0)} ms`);
    for (const stack of stacks) {
        const t = timeRuns(`plan ${stack}`, process.execPath, ["-r", "ts-node/register/transpile-only", "automation/plan-cli.ts", "--stack", stack, "--json"], runs);
        console.log(`plan      --stack ${stack.padEnd(10)}: ${t.toFixed(0).padStart(6)} ms   ratio ${(t / baseline).toFixed(2)}x`);
    }
    if (values.tests) {
        const t = timeRuns("npm test", "npm", ["test", "--silent"], 1);
        console.log(`npm test (type-check + mocha, once): ${(t / 1000).toFixed(1)} s`);
    }
    if (values.ci) {
        // CI as it runs: a fresh clone of the committed tree with shared/ beside it, from npm ci on.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "saleor-ci-"));
        const clone = path.join(dir, "main");
        spawnSync("git", ["clone", "-q", root, clone], { stdio: "inherit" });
        const shared = path.resolve(root, "..", "shared");
        if (fs.existsSync(shared)) fs.cpSync(shared, path.join(dir, "shared"), { recursive: true });
        const start = process.hrtime.bigint();
        const r = spawnSync("bash", [".ci/run"], { cwd: clone, stdio: "ignore", env: { ...process.env, CI: "true" } });
        const s = Number(process.hrtime.bigint() - start) / 1e9;
        console.log(`.ci/run from a fresh clone (npm ci + npm test): ${s.toFixed(0)} s, exit ${r.status}`);
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

main();
