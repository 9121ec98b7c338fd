import { parseArgs } from "util";
import { evaluateStack, listStacks } from "./plan/evaluate";
import { toPlanDocument } from "./plan/json";
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
    out(values.json ? `${JSON.stringify(doc, null, 2)}\n` : renderPlan(doc));
    return doc.policyViolations.some((v) => v.enforcementLevel === "mandatory") ? exitCodes.mandatoryViolation : exitCodes.ok;
}

if (require.main === module) {
    runPlanCli(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
        process.stderr.write(`${(e as Error).stack ?? e}\n`);
        process.exit(exitCodes.programError);
    });
}
