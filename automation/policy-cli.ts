import { PolicyPackConfig } from "@pulumi/policy";
import { parseArgs } from "util";
import { checkPlan, PlanCheckResult, readPlanFile, readPolicyConfigFile, Violation } from "../policy/offline";
import { mandatoryViolationLines } from "./violations";

/*
 * npm run policy -- <plan.json> [--config policy/config/<stack>.json] [--json]
 *
 * Runs the saleor-guard policy pack over a plan without the Pulumi engine: the JSON of
 * `pulumi preview --json` or of `npm run plan -- --stack <name> --json`.
 * Exit codes: 0 no mandatory violation, 1 at least one mandatory violation, 2 bad usage or input.
 */

const USAGE = "usage: npm run policy -- <plan.json> [--config policy/config/<stack>.json] [--json]";

export interface Output {
    out(line: string): void;
    err(line: string): void;
}

const consoleOutput: Output = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
};

/** Thrown for a wrong command line; its message is the one line the user sees. */
class UsageError extends Error {}

function parseCommandLine(argv: string[]): { planFile: string; configFile?: string; json: boolean; help: boolean } {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            options: {
                config: { type: "string", short: "c" },
                json: { type: "boolean", default: false },
                help: { type: "boolean", short: "h", default: false },
            },
            allowPositionals: true,
            strict: true,
        });
    } catch (error) {
        // Node's parseArgs explains how to pass a positional starting with "-"; the first sentence is the point.
        throw new UsageError((error as Error).message.split(". ")[0]);
    }
    const { values, positionals } = parsed;
    if (values.help) {
        return { planFile: "", json: false, help: true };
    }
    if (positionals.length !== 1) {
        throw new UsageError(positionals.length === 0 ? "missing the plan file" : `expected one plan file, got ${positionals.length}`);
    }
    return { planFile: positionals[0], configFile: values.config, json: values.json === true, help: false };
}

function printHuman(result: PlanCheckResult, configFile: string | undefined, output: Output): void {
    const mandatory = result.violations.filter((v) => v.enforcementLevel === "mandatory");
    const advisory = result.violations.filter((v) => v.enforcementLevel === "advisory");
    const source = `${result.stack ? `stack ${result.stack}, ` : ""}${result.resourceCount} resources, ${configFile ? `config ${configFile}` : "the pack's default levels and thresholds"}`;
    output.out(`saleor-guard: ${mandatory.length} mandatory, ${advisory.length} advisory violation(s) (${source})`);
    const group = (title: string, violations: Violation[]) => {
        if (violations.length === 0) {
            return;
        }
        output.out("");
        output.out(`${title} (${violations.length})`);
        for (const v of violations) {
            output.out(`  [${v.policyName}] ${v.urn || "(stack)"}`);
            output.out(`    ${v.message}`);
        }
    };
    group("mandatory", mandatory);
    group("advisory", advisory);
    if (result.skipped.length > 0) {
        output.out("");
        output.out(`${result.skipped.length} check(s) skipped on values the plan does not know yet (or keeps secret).`);
    }
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it. */
export async function main(argv: string[], output: Output = consoleOutput): Promise<number> {
    try {
        const options = parseCommandLine(argv);
        if (options.help) {
            output.out(USAGE);
            return 0;
        }
        const plan = readPlanFile(options.planFile);
        const config: PolicyPackConfig | undefined = options.configFile ? readPolicyConfigFile(options.configFile) : undefined;
        const result = await checkPlan(plan, config);
        const configLabel = options.configFile ?? "the pack's default levels and thresholds";
        if (options.json) {
            output.out(JSON.stringify({ violations: result.violations, skipped: result.skipped }, null, 2));
            // stdout is the document; why the command fails goes to stderr.
            for (const line of mandatoryViolationLines(result.violations, configLabel)) output.err(line);
        } else {
            if (!config && result.stack) {
                output.err(`note: no --config given; policy/config/${result.stack}.json holds this stack's levels and thresholds.`);
            }
            printHuman(result, options.configFile, output);
        }
        return result.violations.some((v) => v.enforcementLevel === "mandatory") ? 1 : 0;
    } catch (error) {
        // One line, no stack trace: a bad command line, an unreadable plan or config, or a rule that failed.
        const message = error instanceof Error ? error.message : String(error);
        output.err(error instanceof UsageError ? `error: ${message} (${USAGE})` : `error: ${message}`);
        return 2;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    });
}
