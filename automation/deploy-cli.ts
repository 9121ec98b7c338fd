import * as fs from "node:fs";
import * as path from "node:path";
import { createInterface } from "node:readline/promises";
import { parseDeployArgs, USAGE } from "./deploy/args";
import { openPulumiStack } from "./deploy/pulumi-stack";
import { classifyError } from "./deploy/errors";
import { failover } from "./deploy/failover";
import { fileStateStore, openPulumiFailoverStack } from "./deploy/failover-pulumi";
import { deploy, exitCode } from "./deploy/rollout";
import { stackStatus } from "./deploy/status";
import { writeSummaries } from "./deploy/summary";

// Entry point of `npm run deploy`: wires the rollout to the real Pulumi stack, the
// terminal and the summary files. Everything it decides is in ./deploy.

const PROJECT_DIR = path.resolve(__dirname, "..");

/** Only a person at a terminal can confirm; in CI there is none, and that means no. */
function terminalConfirm(): ((question: string) => Promise<boolean>) | undefined {
    if (!process.stdin.isTTY || !process.stdout.isTTY) {
        return undefined;
    }
    return async (question) => {
        const rl = createInterface({ input: process.stdin, output: process.stdout });
        try {
            const answer = await rl.question(`${question} Type "production" to continue: `);
            return answer.trim() === "production";
        } finally {
            rl.close();
        }
    };
}

/**
 * Where a reader of a notification finds the run's summary: in GitHub Actions the run's page (its
 * job summary is the Markdown one), else the JSON summary file when --summary names one.
 */
function summaryLink(summaryPath: string | undefined): string | undefined {
    const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = process.env;
    if (GITHUB_SERVER_URL && GITHUB_REPOSITORY && GITHUB_RUN_ID) {
        return `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}`;
    }
    return summaryPath ? path.resolve(summaryPath) : undefined;
}

async function main(argv: string[]): Promise<number> {
    const parsed = parseDeployArgs(argv);
    if (parsed.kind === "help") {
        console.log(USAGE);
        return 0;
    }
    if (parsed.kind === "problems") {
        for (const problem of parsed.problems) {
            console.error(`deploy: ${problem}`);
        }
        console.error("Run `npm run deploy -- --help` for the options.");
        return 2;
    }
    if (parsed.kind === "status") {
        try {
            const stack = await openPulumiStack({
                stackName: parsed.stack,
                workDir: PROJECT_DIR,
                policyPack: path.join(PROJECT_DIR, "policy"),
                policyPackConfig: path.join(PROJECT_DIR, "policy", "config", `${parsed.stack}.json`),
            });
            console.log(await stackStatus(stack));
            return 0;
        } catch (e) {
            console.error(`deploy: ${classifyError(e, parsed.stack).message}`);
            return 4;
        }
    }
    if (parsed.kind === "failover") {
        const options = parsed.options;
        const policyPack = path.join(PROJECT_DIR, "policy");
        const policyPackConfig = path.join(policyPack, "config", `${options.stack}.json`);
        const confirm = terminalConfirm();
        const summary = await failover(options, {
            openStack: () => openPulumiFailoverStack({ stackName: options.stack, workDir: PROJECT_DIR, policyPack, policyPackConfig }),
            state: fileStateStore(PROJECT_DIR, options.stack),
            log: (line) => console.log(line),
            ...(confirm ? { confirm } : {}),
            summaryLink: summaryLink(parsed.summaryPath),
        });
        writeSummaries(summary, { json: parsed.summaryPath, stepSummary: process.env.GITHUB_STEP_SUMMARY });
        return summary.exitCode;
    }
    const { deploy: options, summaryPath } = parsed.options;
    const policyPack = path.join(PROJECT_DIR, "policy");
    const policyPackConfig = path.join(policyPack, "config", `${options.stack}.json`);
    const missing = [path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(policyPack, "PulumiPolicy.yaml"), policyPackConfig].filter(
        (file) => !fs.existsSync(file),
    );
    if (missing.length > 0) {
        for (const file of missing) {
            console.error(
                `deploy: ${path.relative(PROJECT_DIR, file)} is missing; the deploy needs the project, its policy pack and the pack's config for ${options.stack}`,
            );
        }
        return 2;
    }

    // SIGINT (Ctrl-C, and GitHub Actions' first step of cancelling a job) and SIGTERM cancel the
    // running update and let the run write its summary. The handlers are `once`: a second signal
    // gets Node's default and ends the process at once.
    const cancel = new AbortController();
    for (const name of ["SIGINT", "SIGTERM"] as const) {
        process.once(name, () => cancel.abort(name));
    }
    const summary = await deploy(options, {
        signal: cancel.signal,
        openStack: () => openPulumiStack({ stackName: options.stack, workDir: PROJECT_DIR, policyPack, policyPackConfig }),
        log: (line) => console.log(line),
        confirm: terminalConfirm(),
        summaryLink: summaryLink(summaryPath),
    });
    writeSummaries(summary, { json: summaryPath, stepSummary: process.env.GITHUB_STEP_SUMMARY });
    // The explanation was the run's last log line; an unrecognised error also needs its raw lines.
    if (summary.error?.kind === "unknown" && summary.error.detail) {
        console.error(summary.error.detail);
    }
    return exitCode(summary);
}

main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (e: unknown) => {
        // Only the summary writing can get here (deploy() reports its own failures).
        console.error(`deploy: ${e instanceof Error ? e.message : String(e)}`);
        process.exitCode = 4;
    },
);
