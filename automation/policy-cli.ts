import { PolicyPackConfig } from "@pulumi/policy";
import * as fs from "fs";
import * as path from "path";
import { parseCommandLine as parseOptions } from "./cli-args";
import { checkPlan, PlanCheckResult, planResources, readPlanFile, readPolicyConfigFile, Violation } from "../policy/offline";
import { mandatoryViolationLines } from "./violations";

/*
 * npm run policy -- <plan.json> [--config <policy config>] [--json] [--allow-cross-stack]
 *
 * Runs the saleor-guard policy pack over a plan without the Pulumi engine: the JSON of
 * `pulumi preview --json` or of `npm run plan -- --stack <name> --json`.
 * Without --config the plan is judged with its own stack's config, policy/config/<stack>.json; a
 * config of another stack is refused unless --allow-cross-stack. Mandatory violations always reach
 * stderr as well. Every output lists the mandatory rules the config disables, with their reasons; a
 * config that disables one without a "reason" is bad input (exit 2).
 * Exit codes: 0 no mandatory violation, 1 at least one mandatory violation, 2 bad usage or input.
 */

const USAGE = `usage: npm run policy -- <plan.json> [-c|--config <policy config>] [-j|--json] [--allow-cross-stack]

Runs the saleor-guard policy pack over a plan file without the Pulumi engine: an offline plan
(npm run plan -- --out plan.json) or \`pulumi preview --json\`.

  -c, --config <file>     the pack's levels and thresholds; default policy/config/<the plan's stack>.json
  -j, --json              the violations as JSON on stdout
  --allow-cross-stack     judge a plan with another stack's policy config (refused otherwise)

Mandatory violations are listed on stderr in every mode. Mandatory rules the config disables are
listed with their reasons in both modes; disabling one needs a "reason" in its config entry.
exit codes: 0 no mandatory violation, 1 at least one mandatory violation, 2 bad usage or input`;

/** The project's policy configs, one per stack: policy/config/<stack>.json. */
const configDir = path.join(__dirname, "..", "policy", "config");

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

function parseCommandLine(argv: string[]): {
    planFile: string;
    configFile?: string;
    json: boolean;
    help: boolean;
    allowCrossStack: boolean;
} {
    const parsed = parseOptions(
        argv,
        {
            config: { type: "string", short: "c" },
            json: { type: "boolean", short: "j" },
            "allow-cross-stack": { type: "boolean" },
            help: { type: "boolean", short: "h" },
        },
        "npm run policy --",
        { positionals: true },
    );
    if ("problem" in parsed) throw new UsageError(parsed.problem);
    const { values, positionals } = parsed;
    if (values.help) {
        return { planFile: "", json: false, help: true, allowCrossStack: false };
    }
    if (positionals.length !== 1) {
        throw new UsageError(
            `${positionals.length === 0 ? "missing the plan file" : `expected one plan file, got ${positionals.length}`} (npm run policy -- --help lists the options)`,
        );
    }
    return {
        planFile: positionals[0],
        configFile: values.config,
        json: values.json === true,
        help: false,
        allowCrossStack: values["allow-cross-stack"] === true,
    };
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
    if (result.disabledMandatory.length > 0) {
        output.out("");
        output.out(`mandatory rules disabled by ${configFile ?? "the config"} (${result.disabledMandatory.length})`);
        for (const d of result.disabledMandatory) output.out(`  [${d.policyName}] ${d.reason ?? ""}`);
    }
    if (result.skipped.length > 0) {
        output.out("");
        output.out(`${result.skipped.length} check(s) skipped on values the plan does not know yet (or keeps secret).`);
    }
}

/** The mandatory rules the config disables, with the reason it gives for each. */
function disabledMandatoryJson(result: PlanCheckResult): { policyName: string; reason: string }[] {
    return result.disabledMandatory.map((d) => ({ policyName: d.policyName, reason: d.reason ?? "" }));
}

/** policy/config/<stack>.json, as the user would name it, when the project has one for `stack`. */
function stackConfigFile(stack: string | undefined): string | undefined {
    if (!stack) return undefined;
    const file = path.join(configDir, `${stack}.json`);
    return fs.existsSync(file) ? path.relative(process.cwd(), file) : undefined;
}

/** The stack a policy config file is for: its name, when that is one of the project's stacks' configs. */
function stackOfConfigFile(file: string): string | undefined {
    const name = path.basename(file, ".json");
    return fs.existsSync(path.join(configDir, `${name}.json`)) ? name : undefined;
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
        const stack = planResources(plan).stack;
        const configFile = options.configFile ?? stackConfigFile(stack);
        const configStack = configFile ? stackOfConfigFile(configFile) : undefined;
        if (options.configFile && stack && configStack && configStack !== stack && !options.allowCrossStack) {
            throw new UsageError(
                `${options.configFile} is stack ${configStack}'s policy config, and ${options.planFile} a plan of stack ${stack}; ` +
                    `judge a plan by its own stack's config, or pass --allow-cross-stack`,
            );
        }
        const config: PolicyPackConfig | undefined = configFile ? readPolicyConfigFile(configFile) : undefined;
        const result = await checkPlan(plan, config);
        const configLabel = configFile ?? "the pack's default levels and thresholds";
        if (options.json) {
            output.out(
                JSON.stringify(
                    { violations: result.violations, skipped: result.skipped, disabledMandatoryRules: disabledMandatoryJson(result) },
                    null,
                    2,
                ),
            );
        } else {
            printHuman(result, configFile, output);
        }
        // Why the command fails goes to stderr in every mode, whatever stdout carries.
        for (const line of mandatoryViolationLines(result.violations, configLabel)) output.err(line);
        return result.violations.some((v) => v.enforcementLevel === "mandatory") ? 1 : 0;
    } catch (error) {
        // One line, no stack trace: a bad command line, an unreadable plan or config, or a rule that failed.
        const message = error instanceof Error ? error.message : String(error);
        output.err(`error: ${message}`);
        return 2;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    });
}
