// First: parts of the SDK a plan never uses load on first use, not with the SDK (plan/sdk-deferred.ts).
import "./plan/sdk-deferred";
import * as fs from "fs";
import * as path from "path";
import type { PlanCheckResult } from "../policy/offline";
import { parseCommandLine } from "./cli-args";
import { awsLimitProblems } from "./plan/aws-limits";
import { diffPlans, readPlanFile, renderDiff, renderDiffMarkdown, type PlanLike } from "./plan/diff";
import type * as ErrorLocation from "./plan/error-location";
import { PlanChecks } from "./plan/checks";
import { rejectionLines } from "./plan/kubernetes-validation";
import { evaluateStack, listStacks, programErrorExitCode, projectRoot } from "./plan/evaluate";
import { toPlanDocument, type PolicyViolationJson } from "./plan/json";
import { mandatoryViolationLines } from "./violations";
import { renderPlan } from "./plan/render";
import { buildTimeline, DEFAULT_PARALLEL } from "./plan/timeline";
import { renderTimeline } from "./plan/timeline-render";

/**
 * Exit codes other tools rely on. Precedence when several apply: 2, 4 and 5 end the run before
 * anything is compared; then 1 (a mandatory policy violation) wins over 3 (a stateful resource
 * would be updated, replaced or deleted), which wins over 0.
 */
export const exitCodes = {
    ok: 0,
    mandatoryViolation: 1,
    invalidInput: 2,
    statefulChange: 3,
    programError: programErrorExitCode,
    /** The plan holds an object an API would refuse: a Kubernetes object, or an AWS name or tag over its limits. */
    rejectedByApi: 5,
} as const;

/** The plan CLI's options; short flags are Pulumi's (-s stack, -j json). */
const planOptions = {
    stack: { type: "string", short: "s" },
    json: { type: "boolean", short: "j" },
    out: { type: "string" },
    "config-file": { type: "string" },
    "no-policy": { type: "boolean" },
    "diff-against": { type: "string" },
    markdown: { type: "boolean" },
    timeline: { type: "boolean" },
    parallel: { type: "string" },
    "migration-seconds": { type: "string" },
    "allow-cross-stack": { type: "boolean" },
    verbose: { type: "boolean", short: "v" },
    help: { type: "boolean", short: "h" },
} as const;

const usage = `usage: npm run plan -- --stack <${listStacks().join("|")}> [--json | --out <plan.json>] [--config-file <path>] [--no-policy]
                     [--diff-against <plan.json> [--markdown]] [--timeline [--parallel <n>] [--migration-seconds <s>]]

Evaluates the real program for a stack through the Pulumi SDK's mock runtime (no cloud, no CLI) and
prints the resource tree, counts per type and region, and the stack outputs; --json prints the
machine-readable plan (same fields as \`pulumi preview --json\`).

  --out <file>             write the --json plan to <file> (whole, or not at all) and print the human plan;
                           the file is what --diff-against and \`npm run policy\` read
  --verbose                with a program error, print its whole stack (mapped to the TypeScript)
  --allow-cross-stack      let --diff-against compare plans of different stacks (refused otherwise)
  --diff-against <file>    compare with an earlier plan: this tool's --json or \`pulumi preview --json\`;
                           prints per region what is created, updated (changed input paths), replaced
                           (and which fields force it) and deleted. Secret values are not compared.
  --markdown               with --diff-against: a short Markdown summary (for $GITHUB_STEP_SUMMARY)
  --timeline               model the deployment: critical path, Gantt per region, the CI/CD Pipeline document's goals;
                           a first deployment, or with --diff-against a release of only the changes
  --parallel <n>           resource operations at once (default ${DEFAULT_PARALLEL}: \`pulumi up\`'s 4 x CPUs on a
                           2-vCPU runner; 0 = unbounded)
  --migration-seconds <s>  how long \`manage.py migrate\` runs (default 300 first deployment, 60 release)

exit codes: 0 ok, 1 mandatory policy violation, 2 invalid config or usage, 3 a stateful resource would
be updated, replaced or deleted (with --diff-against), 4 the program failed, 5 the plan holds an object
an API would refuse: a Kubernetes object the API server would reject (schema or its own checks) or an
AWS name or tag over its limits, each with its URN, path and reason; 1 wins over 3`;

export async function runPlanCli(
    argv: string[],
    out: (s: string) => void = (s) => process.stdout.write(s),
    err: (s: string) => void = (s) => process.stderr.write(s),
    /** How a stack is evaluated; tests pass one that shares evaluations between specs. */
    evaluate: typeof evaluateStack = evaluateStack,
): Promise<number> {
    const parsed = parseCommandLine(argv, planOptions, "npm run plan --");
    if ("problem" in parsed) {
        err(`${parsed.problem}\n`);
        return exitCodes.invalidInput;
    }
    const values = parsed.values;
    if (values.help) {
        out(`${usage}\n`);
        return exitCodes.ok;
    }
    if (!values.stack) {
        err(`--stack is required\n${usage}\n`);
        return exitCodes.invalidInput;
    }
    const usageProblem = checkCombination(values);
    if (usageProblem) {
        err(`${usageProblem}\n${usage}\n`);
        return exitCodes.invalidInput;
    }
    const parallel = values.parallel === undefined ? DEFAULT_PARALLEL : Number(values.parallel);
    const migrationSeconds = values["migration-seconds"] === undefined ? undefined : Number(values["migration-seconds"]);
    let base: PlanLike | undefined;
    if (values["diff-against"]) {
        const read = readPlanFile(values["diff-against"]);
        if ("problem" in read) {
            err(`${read.problem}\n`);
            return exitCodes.invalidInput;
        }
        base = read.doc;
        const baseStack =
            base.stack ??
            base.steps
                .find((s) => s.urn)
                ?.urn.split("::")[0]
                .split(":")[2];
        if (baseStack && baseStack !== values.stack && !values["allow-cross-stack"]) {
            err(
                `--diff-against ${values["diff-against"]}: a plan of stack ${baseStack}, not ${values.stack}; ` +
                    "compare plans of one stack, or pass --allow-cross-stack\n",
            );
            return exitCodes.invalidInput;
        }
    }

    let result;
    const started = process.hrtime.bigint();
    // The plan's checks load on their own thread while the program runs (plan/checks.ts).
    const checks = new PlanChecks();
    try {
        result = await evaluate({ stack: values.stack, configFile: values["config-file"], onRegister: checks.preload });
    } catch (e) {
        checks.close();
        err(`the program failed while evaluating stack "${values.stack}": ${(e as Error).message}\n`);
        // Loaded on the error path only: the source-map reader is not the fast path's to pay for.
        const { mappedStack, typeScriptFrames } = require("./plan/error-location") as typeof ErrorLocation;
        if (values.verbose) {
            err(`${mappedStack((e as Error).stack)}\n`);
        } else {
            const [where] = typeScriptFrames((e as Error).stack);
            if (where) err(`  at ${where.file}:${where.line}:${where.column} (--verbose prints the whole stack)\n`);
        }
        return exitCodes.programError;
    }
    if ("problems" in result) {
        checks.close();
        for (const p of result.problems) err(`${p}\n`);
        return exitCodes.invalidInput;
    }

    const doc = toPlanDocument(result.evaluation);
    doc.duration = Number(process.hrtime.bigint() - started);
    const policyConfig = path.join(projectRoot, "policy", "config", `${values.stack}.json`);
    const hasPolicyConfig = fs.existsSync(policyConfig);
    const checked = await checks.run(doc, values["no-policy"] ? undefined : { configFile: hasPolicyConfig ? policyConfig : undefined });
    // What the APIs would refuse fails here: AWS names and tags over their limits, then Kubernetes
    // objects the API server would reject.
    const refused = [...awsLimitProblems(doc), ...rejectionLines(checked.kubernetes)];
    if (refused.length > 0) {
        for (const line of refused) err(`${line}\n`);
        return exitCodes.rejectedByApi;
    }
    // The stack file the plan was made from, so a reader knows what it judges.
    doc.configFile = path.relative(
        projectRoot,
        path.resolve(values["config-file"] ?? path.join(projectRoot, `Pulumi.${values.stack}.yaml`)),
    );
    const notes: string[] = [];
    // The mandatory rules the stack's policy config disables, in every output (absent with --no-policy).
    let disabled: { disabledMandatoryRules: DisabledMandatoryJson[] } | {} = {};
    if (values["no-policy"]) {
        notes.push("Policy: not checked (--no-policy).");
    } else {
        if (checked.policyError) {
            // A policy config the pack refuses (a mandatory rule disabled without a reason, a level
            // that does not exist) is bad input, in one line, as with npm run policy.
            if (checked.policyError.name === "PolicyInputError") {
                err(`${checked.policyError.message}\n`);
                return exitCodes.invalidInput;
            }
            throw checked.policyError;
        }
        const judged = policyViolations(checked.policy!, hasPolicyConfig ? policyConfig : undefined, values.stack, notes);
        doc.policyViolations = judged.violations;
        disabled = { disabledMandatoryRules: judged.disabledMandatoryRules };
    }
    const mandatory = doc.policyViolations.some((v) => v.enforcementLevel === "mandatory");
    for (const line of mandatoryViolationLines(doc.policyViolations, policyConfigLabel(values.stack))) err(`${line}\n`);
    if (!base && !values.timeline) {
        if (values.out) {
            try {
                writeAtomically(values.out, `${JSON.stringify({ ...doc, ...disabled }, null, 2)}\n`);
            } catch (e) {
                err(`--out ${values.out}: ${(e as Error).message}\n`);
                return exitCodes.invalidInput;
            }
            notes.push(`Wrote the plan to ${values.out}.`);
        }
        out(values.json ? `${JSON.stringify({ ...doc, ...disabled }, null, 2)}\n` : renderPlan(doc, notes));
        return mandatory ? exitCodes.mandatoryViolation : exitCodes.ok;
    }

    // Diff and timeline: the plan itself is not printed; its policy result is.
    if (doc.policyViolations.length > 0) {
        const m = doc.policyViolations.filter((v) => v.enforcementLevel === "mandatory").length;
        notes.unshift(
            `Policy: ${m} mandatory, ${doc.policyViolations.length - m} advisory violation(s); \`npm run plan -- ${planOnlyArgs(argv).join(" ")}\` lists them.`,
        );
    }
    const compared = base ? diffPlans(base, doc, values["diff-against"]!) : undefined;
    const stateful = (compared?.diff.stateful.length ?? 0) > 0;
    const code = mandatory ? exitCodes.mandatoryViolation : stateful ? exitCodes.statefulChange : exitCodes.ok;
    if (!values.timeline) {
        const d = compared!.diff;
        if (values.markdown) out(renderDiffMarkdown(d) + notes.map((n) => `\n${n}\n`).join(""));
        else
            out(
                values.json
                    ? `${JSON.stringify({ ...d, policyViolations: doc.policyViolations, ...disabled }, null, 2)}\n`
                    : renderDiff(d, notes),
            );
        return code;
    }
    let timeline;
    try {
        timeline = buildTimeline(doc, {
            parallel: parallel === 0 ? Infinity : parallel,
            changes: compared?.changes,
            against: values["diff-against"],
            migrationSeconds,
        });
    } catch (e) {
        err(`the timeline could not be modelled: ${(e as Error).message}\n`);
        return exitCodes.programError;
    }
    if (values.json) {
        out(
            `${JSON.stringify({ ...timeline, ...(compared ? { diff: compared.diff } : {}), policyViolations: doc.policyViolations, ...disabled }, null, 2)}\n`,
        );
    } else {
        out((compared ? `${renderDiff(compared.diff)}\n` : "") + renderTimeline(timeline, notes));
    }
    return code;
}

/**
 * Writes `text` to `file` whole or not at all: into a temporary file beside it, then renamed over it
 * (a rename within one directory is atomic), so a reader never sees half a plan.
 */
function writeAtomically(file: string, text: string): void {
    const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    try {
        fs.writeFileSync(temporary, text);
        fs.renameSync(temporary, file);
    } finally {
        fs.rmSync(temporary, { force: true });
    }
}

/** Flags that only make sense together; one line for the user, or undefined. */
function checkCombination(v: {
    out?: string;
    json?: boolean;
    markdown?: boolean;
    timeline?: boolean;
    parallel?: string;
    "diff-against"?: string;
    "migration-seconds"?: string;
}): string | undefined {
    if (v.out !== undefined && (v["diff-against"] || v.timeline))
        return "--out writes the plan document: not with --diff-against or --timeline";
    if (v.out !== undefined && v.json) return "--out writes the JSON to the file and prints the human plan: not with --json";
    if (v.markdown && !v["diff-against"]) return "--markdown needs --diff-against";
    if (v.markdown && (v.json || v.timeline)) return "--markdown prints the diff summary only: not with --json or --timeline";
    if ((v.parallel !== undefined || v["migration-seconds"] !== undefined) && !v.timeline)
        return "--parallel and --migration-seconds need --timeline";
    if (v.parallel !== undefined && !/^\d+$/.test(v.parallel))
        return `--parallel: expected a whole number (0 = unbounded), got "${v.parallel}"`;
    if (v["migration-seconds"] !== undefined && !/^\d+(\.\d+)?$/.test(v["migration-seconds"]))
        return `--migration-seconds: expected seconds, got "${v["migration-seconds"]}"`;
    return undefined;
}

/** The user's arguments that choose what is planned (stack, stack file, policy), without the diff and timeline flags. */
function planOnlyArgs(argv: string[]): string[] {
    const dropWithValue = new Set(["--diff-against", "--parallel", "--migration-seconds", "--out"]);
    const drop = new Set(["--timeline", "--markdown", "--json"]);
    const kept: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const [flag] = argv[i].split("=");
        if (dropWithValue.has(flag)) {
            if (!argv[i].includes("=")) i++;
        } else if (!drop.has(flag)) {
            kept.push(argv[i]);
        }
    }
    return kept;
}

/** The policy config a stack's plan is judged with, as the user would name it. */
function policyConfigLabel(stack: string): string {
    const file = path.join(projectRoot, "policy", "config", `${stack}.json`);
    return fs.existsSync(file) ? path.relative(projectRoot, file) : "the pack's production defaults";
}

/** A mandatory rule the stack's policy config disables, as the JSON outputs list it. */
interface DisabledMandatoryJson {
    readonly policyName: string;
    readonly reason: string;
}

/**
 * The policy pack's verdict on the plan, judged with the stack's policy config
 * (policy/config/<stack>.json) when it has one: the violations, and the mandatory rules the config
 * disables (also added to `notes`).
 */
function policyViolations(
    result: PlanCheckResult,
    configFile: string | undefined,
    stack: string,
    notes: string[],
): { violations: PolicyViolationJson[]; disabledMandatoryRules: DisabledMandatoryJson[] } {
    notes.push(
        `Policy: ${result.violations.length === 0 ? "no violations" : `${result.violations.length} violation(s), the mandatory ones also on stderr`} (pack rules with ${configFile ? path.relative(projectRoot, configFile) : "the pack's production defaults: no policy/config/" + stack + ".json"}).`,
    );
    const disabledMandatoryRules = result.disabledMandatory.map((d) => ({ policyName: d.policyName, reason: d.reason ?? "" }));
    if (disabledMandatoryRules.length > 0) {
        notes.push(
            [
                `Policy: ${disabledMandatoryRules.length} mandatory rule(s) disabled by ${configFile ? path.relative(projectRoot, configFile) : "the policy config"}:`,
                ...disabledMandatoryRules.map((d) => `  ${d.policyName}: ${d.reason}`),
            ].join("\n"),
        );
    }
    const violations = result.violations.map((v) => ({
        policyPackName: v.policyPackName,
        policyName: v.policyName,
        enforcementLevel: v.enforcementLevel,
        urn: v.urn,
        message: v.message,
    }));
    return { violations, disabledMandatoryRules };
}

/**
 * Exits once stdout and stderr are flushed. The exit is explicit (the SDK's runtime can leave
 * handles open after an offline evaluation), and `process.exit` alone drops whatever a pipe has not
 * taken yet: a production plan's JSON piped into `jq` or `tee` was cut off at 128 KiB.
 */
export function exitAfterFlush(code: number): void {
    let pending = 2;
    const done = () => {
        if (--pending === 0) process.exit(code);
    };
    process.stdout.write("", done);
    process.stderr.write("", done);
}

if (require.main === module) {
    runPlanCli(process.argv.slice(2)).then(exitAfterFlush, (e) => {
        process.stderr.write(`${(e as Error).stack ?? e}\n`);
        exitAfterFlush(exitCodes.programError);
    });
}
