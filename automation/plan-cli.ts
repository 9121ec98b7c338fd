import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { checkPlan, readPolicyConfigFile } from "../policy/offline";
import { evaluateStack, listStacks, projectRoot } from "./plan/evaluate";
import { toPlanDocument, type PolicyViolationJson } from "./plan/json";
import { renderPlan } from "./plan/render";

/** Exit codes other tools rely on. */
export const exitCodes = { ok: 0, mandatoryViolation: 1, invalidInput: 2, programError: 4 } as const;

const usage = `usage: npm run plan -- --stack <${listStacks().join("|")}> [--json] [--config-file <path>] [--no-policy]

Evaluates the real program for a stack through the Pulumi SDK's mock runtime (no cloud, no CLI) and
prints the resource tree, counts per type and region, and the stack outputs; --json prints the
machine-readable plan (same fields as \`pulumi preview --json\`).

exit codes: 0 ok, 1 mandatory policy violation, 2 invalid config or usage, 4 the program failed`;

export async function runPlanCli(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
    let values;
    try {
        values = parseArgs({
            args: argv,
            options: {
                stack: { type: "string" },
                json: { type: "boolean", default: false },
                "config-file": { type: "string" },
                "no-policy": { type: "boolean", default: false },
                help: { type: "boolean", default: false },
            },
            strict: true,
        }).values;
    } catch (e) {
        err(`${(e as Error).message}\n${usage}\n`);
        return exitCodes.invalidInput;
    }
    if (values.help) {
        out(`${usage}\n`);
        return exitCodes.ok;
    }
    if (!values.stack) {
        err(`--stack is required\n${usage}\n`);
        return exitCodes.invalidInput;
    }

    let result;
    try {
        result = await evaluateStack({ stack: values.stack, configFile: values["config-file"] });
    } catch (e) {
        err(`the program failed while evaluating stack "${values.stack}": ${(e as Error).message}\n`);
        return exitCodes.programError;
    }
    if ("problems" in result) {
        for (const p of result.problems) err(`${p}\n`);
        return exitCodes.invalidInput;
    }

    const doc = toPlanDocument(result.evaluation);
    const notes: string[] = [];
    if (values["no-policy"]) {
        notes.push("Policy: not checked (--no-policy).");
    } else {
        doc.policyViolations = await policyViolations(doc, values.stack, notes);
    }
    out(values.json ? `${JSON.stringify(doc, null, 2)}\n` : renderPlan(doc, notes));
    return doc.policyViolations.some((v) => v.enforcementLevel === "mandatory") ? exitCodes.mandatoryViolation : exitCodes.ok;
}

/** Runs the policy pack's rules on the plan with the stack's policy config (policy/config/<stack>.json). */
async function policyViolations(doc: Parameters<typeof checkPlan>[0], stack: string, notes: string[]): Promise<PolicyViolationJson[]> {
    const configFile = path.join(projectRoot, "policy", "config", `${stack}.json`);
    const hasConfig = fs.existsSync(configFile);
    const result = await checkPlan(doc, hasConfig ? readPolicyConfigFile(configFile) : undefined);
    notes.push(`Policy: ${result.violations.length === 0 ? "no violations" : "see above"} (pack rules with ${hasConfig ? path.relative(projectRoot, configFile) : "the pack's production defaults: no policy/config/" + stack + ".json"}).`);
    return result.violations.map((v) => ({
        policyPackName: v.policyPackName,
        policyName: v.policyName,
        enforcementLevel: v.enforcementLevel,
        urn: v.urn,
        message: v.message,
    }));
}

if (require.main === module) {
    runPlanCli(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
        process.stderr.write(`${(e as Error).stack ?? e}\n`);
        process.exit(exitCodes.programError);
    });
}
