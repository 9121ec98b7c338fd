import { EnforcementLevel, PolicyPackConfig, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import * as fs from "fs";
import { ruleInfo } from "./lib/define";
import { AnalyzedResource, PolicyOutcome, runResourcePolicy, runStackPolicy } from "./lib/invoke";
import { DisabledMandatoryRule, disabledMandatoryRules, enforcementLevelOf, packConfigProblems, policySettingsOf } from "./lib/pack-config";
import { ENGINE_UNKNOWN, PLAN_SECRET, PLAN_UNKNOWN } from "./lib/unknown";
import { packEnforcementLevel, policies, policyPackName } from "./rules";

/*
 * The engine-free runner: the pack's own policy objects, called the way the Pulumi engine calls
 * them, over the JSON of `pulumi preview --json` or of the project's offline plan
 * (`npm run plan -- --json`). Both have `steps[].newState` with type, urn, custom, parent,
 * provider, inputs, dependencies and protect.
 */

export interface Violation {
    readonly policyName: string;
    readonly policyPackName: string;
    readonly enforcementLevel: "advisory" | "mandatory";
    /** The resource in violation; the stack's URN (or "") for a violation of the stack as a whole. */
    readonly urn: string;
    readonly message: string;
}

/** A check that could not run because it needed a value the plan does not know (or keeps secret). */
export interface SkippedCheck {
    readonly policyName: string;
    readonly urn: string;
    readonly reason: string;
}

export interface PlanCheckResult {
    readonly stack?: string;
    readonly violations: Violation[];
    readonly skipped: SkippedCheck[];
    /** How many resources were judged, providers and the stack itself included. */
    readonly resourceCount: number;
    /** Rules mandatory by definition that the config disables, each with its reason: what this check did not check. */
    readonly disabledMandatory: DisabledMandatoryRule[];
}

/** The plan or the policy config cannot be used; the message names the file or key. */
export class PolicyInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PolicyInputError";
    }
}

interface PlanState {
    type?: unknown;
    urn?: unknown;
    custom?: unknown;
    parent?: unknown;
    provider?: unknown;
    inputs?: unknown;
    outputs?: unknown;
    dependencies?: unknown;
    propertyDependencies?: unknown;
    protect?: unknown;
    deleteBeforeReplace?: unknown;
    ignoreChanges?: unknown;
    aliases?: unknown;
    additionalSecretOutputs?: unknown;
    customTimeouts?: unknown;
}

/** Steps whose resource is gone after the update; every other step's newState is judged. */
const REMOVING_OPS = new Set(["delete", "delete-replaced", "discard", "discard-replaced", "remove-pending-replace"]);

/** The secret envelope the engine serialises secrets in ("4dabf...": "1b47..."). */
const SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

const STACK_TYPE = "pulumi:pulumi:Stack";

/**
 * Plan placeholders become the engine's unknown sentinel, so the unknown-checking proxy treats
 * them exactly like a preview's unknowns: "[unknown]", and also "[secret]" and secret envelopes,
 * whose contents a policy must neither judge nor repeat.
 *
 * Object keys are sorted, as the engine delivers them: properties reach the pack as a protobuf
 * Struct, and google-protobuf's Struct.toJavaScript walks its map in sorted key order, whatever
 * order the program wrote. A rule that prints an object (a selector) then words it the same way
 * offline as under `pulumi preview` (tests/engine/policy-pack.spec.ts).
 */
function normalizeValue(value: unknown): unknown {
    if (value === PLAN_UNKNOWN || value === PLAN_SECRET) {
        return ENGINE_UNKNOWN;
    }
    if (Array.isArray(value)) {
        return value.map(normalizeValue);
    }
    if (typeof value === "object" && value !== null) {
        const record = value as Record<string, unknown>;
        if (record[SECRET_SIGNATURE_KEY] === SECRET_SIGNATURE) {
            return ENGINE_UNKNOWN;
        }
        return Object.fromEntries(
            Object.keys(record)
                .sort()
                .map((k) => [k, normalizeValue(record[k])]),
        );
    }
    return value;
}

function nameOfUrn(urn: string): string {
    return urn.split("::").slice(3).join("::");
}

/** The last type in a URN's type chain: "a$b$pulumi:providers:aws" -> "pulumi:providers:aws". */
function typeOfUrn(urn: string): string {
    const qualifiedType = urn.split("::")[2] ?? "";
    return qualifiedType.split("$").pop() ?? "";
}

function stringList(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function record(value: unknown): Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The resources a plan ends with, as the engine would describe them to the policy pack. */
export function planResources(plan: unknown): { stack?: string; resources: AnalyzedResource[] } {
    const steps = (plan as { steps?: unknown } | null)?.steps;
    if (typeof plan !== "object" || plan === null || !Array.isArray(steps)) {
        throw new PolicyInputError("the plan has no steps array; expected the JSON of `pulumi preview --json` or `npm run plan -- --json`");
    }
    const states = new Map<string, PlanState>();
    steps.forEach((step: unknown, index: number) => {
        const { op, newState } = record(step) as { op?: unknown; newState?: unknown };
        if (typeof op === "string" && REMOVING_OPS.has(op)) {
            return;
        }
        if (newState === undefined) {
            return;
        }
        const state = record(newState) as PlanState;
        if (typeof state.urn !== "string" || typeof state.type !== "string") {
            throw new PolicyInputError(`step ${index} (${String(op)}): newState needs a string urn and type`);
        }
        // A replacement shows up as several steps for one URN; the last one holds the final state.
        states.set(state.urn, state);
    });

    const resources: AnalyzedResource[] = [];
    for (const [urn, state] of states) {
        const timeouts = record(state.customTimeouts);
        const options = {
            protect: state.protect === true,
            ignoreChanges: stringList(state.ignoreChanges),
            aliases: stringList(state.aliases),
            customTimeouts: {
                createSeconds: Number(timeouts.create ?? 0) || 0,
                updateSeconds: Number(timeouts.update ?? 0) || 0,
                deleteSeconds: Number(timeouts.delete ?? 0) || 0,
            },
            additionalSecretOutputs: stringList(state.additionalSecretOutputs),
            ...(typeof state.deleteBeforeReplace === "boolean" ? { deleteBeforeReplace: state.deleteBeforeReplace } : {}),
            ...(typeof state.parent === "string" && state.parent !== "" ? { parent: state.parent } : {}),
        };
        const propertyDependencies = Object.fromEntries(
            Object.entries(record(state.propertyDependencies)).map(([k, v]) => [k, stringList(v)]),
        );
        resources.push({
            type: state.type as string,
            urn,
            name: nameOfUrn(urn),
            custom: state.custom !== false,
            // The offline plan has inputs only; a preview has both, and policies judge inputs.
            props: record(normalizeValue(state.inputs ?? state.outputs ?? {})),
            options,
            provider: providerOf(state.provider, states),
            parent: options.parent,
            dependencies: stringList(state.dependencies),
            propertyDependencies,
        });
    }
    if (resources.length === 0) {
        // Fail closed: a check of nothing would pass, and an empty or mangled file looks like a clean plan.
        throw new PolicyInputError(
            "the plan has no resources to judge (its steps are empty or none has a newState); a check of nothing would pass",
        );
    }
    // `pulumi preview --json` does not name the stack; every URN does (urn:pulumi:<stack>::...).
    const stack = (plan as { stack?: unknown }).stack;
    const stackFromUrn = resources[0]?.urn.split("::")[0].split(":")[2];
    return { stack: typeof stack === "string" ? stack : stackFromUrn, resources };
}

/** "<provider urn>::<id>" resolved to the provider's step, whose inputs hold e.g. the AWS region. */
function providerOf(reference: unknown, states: Map<string, PlanState>): AnalyzedResource["provider"] {
    if (typeof reference !== "string" || reference === "") {
        return undefined;
    }
    const separator = reference.lastIndexOf("::");
    const urn = separator > 0 ? reference.slice(0, separator) : reference;
    const state = states.get(urn);
    return {
        type: typeof state?.type === "string" ? state.type : typeOfUrn(urn),
        urn,
        name: nameOfUrn(urn),
        props: record(normalizeValue(state?.inputs ?? {})),
    };
}

/** Whether `policy` may judge a resource of `type`: the types it guards, or any for a rule not built with define.ts. */
function guards(policy: ResourceValidationPolicy, type: string): boolean {
    try {
        return ruleInfo(policy).guards.includes(type);
    } catch {
        return true;
    }
}

function isResourcePolicy(policy: unknown): policy is ResourceValidationPolicy {
    return (policy as ResourceValidationPolicy).validateResource !== undefined;
}

function isStackPolicy(policy: unknown): policy is StackValidationPolicy {
    return typeof (policy as StackValidationPolicy).validateStack === "function";
}

/** The engine validates custom resources one by one; providers and the stack only appear in stack validation. */
function validatedOneByOne(resource: AnalyzedResource): boolean {
    return resource.custom && resource.type !== STACK_TYPE && !resource.type.startsWith("pulumi:providers:");
}

/**
 * Runs every rule of the pack over a plan. `policyConfig` is a `--policy-pack-config` document
 * (policy/config/<stack>.json); without it, each policy's own level and default thresholds apply,
 * as with `pulumi preview --policy-pack policy` and no config.
 */
export async function checkPlan(plan: unknown, policyConfig?: PolicyPackConfig): Promise<PlanCheckResult> {
    if (policyConfig !== undefined) {
        const problems = packConfigProblems(policyConfig, policies);
        if (problems.length > 0) {
            throw new PolicyInputError(`invalid policy config: ${problems.join("; ")}`);
        }
    }
    const { stack, resources } = planResources(plan);
    const stackUrn = resources.find((r) => r.type === STACK_TYPE)?.urn ?? "";
    const violations: Violation[] = [];
    const skipped: SkippedCheck[] = [];

    const active = policies
        .map((policy) => ({
            policy,
            level: enforcementLevelOf(policy, policyConfig, packEnforcementLevel),
            settings: policySettingsOf(policy, policyConfig),
        }))
        .filter((p) => p.level !== "disabled");
    const collect = (policyName: string, level: EnforcementLevel, outcome: PolicyOutcome, fallbackUrn: string) => {
        // Like the engine, a remediation policy that still finds a violation reports it as mandatory.
        const reported = level === "advisory" ? "advisory" : "mandatory";
        for (const v of outcome.violations) {
            violations.push({ policyName, policyPackName, enforcementLevel: reported, urn: v.urn || fallbackUrn, message: v.message });
        }
        if (outcome.unknown) {
            skipped.push({ policyName, urn: fallbackUrn, reason: outcome.unknown });
        }
    };

    // A resource rule built with policy/lib/define.ts judges only the types it guards and calls
    // every other resource not applicable: ask only the rules that guard a resource's type.
    const byType = new Map<string, typeof active>();
    const rulesFor = (type: string) => {
        if (!byType.has(type)) {
            byType.set(
                type,
                active.filter(({ policy }) => isResourcePolicy(policy) && guards(policy, type)),
            );
        }
        return byType.get(type)!;
    };
    for (const resource of resources.filter(validatedOneByOne)) {
        for (const { policy, level, settings } of rulesFor(resource.type)) {
            collect(policy.name, level, await runResourcePolicy(policy as ResourceValidationPolicy, resource, settings), resource.urn);
        }
    }
    for (const { policy, level, settings } of active) {
        if (isStackPolicy(policy)) {
            collect(policy.name, level, await runStackPolicy(policy, resources, settings), stackUrn);
        }
    }
    return {
        stack,
        violations,
        skipped,
        resourceCount: resources.length,
        disabledMandatory: disabledMandatoryRules(policyConfig, policies),
    };
}

function readJson(file: string, what: string): unknown {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new PolicyInputError(`cannot read ${what} ${file}${code ? ` (${code})` : ""}`);
    }
    try {
        return JSON.parse(text);
    } catch (error) {
        // Not the parser's message: it quotes the start of the file, which may be anything.
        const at = /position (\d+)/.exec((error as Error).message)?.[1];
        throw new PolicyInputError(`${what} ${file} is not valid JSON${at ? ` (at character ${at})` : ""}`);
    }
}

/** Reads a plan file: `pulumi preview --json` output or `npm run plan -- --json` output. */
export function readPlanFile(file: string): unknown {
    return readJson(file, "plan");
}

/** The enforcement level a config entry sets: a bare level, or an object's `enforcementLevel`. */
function levelOf(entry: unknown): unknown {
    return typeof entry === "string" ? entry : (entry as { enforcementLevel?: unknown } | null)?.enforcementLevel;
}

/** Whether `config` turns every rule off: `all` disabled, and no rule given another level. */
function disablesEverything(config: unknown): boolean {
    const entries = Object.entries(config as Record<string, unknown>);
    const all = entries.find(([k]) => k === "all")?.[1];
    if (levelOf(all) !== "disabled") return false;
    return !entries.some(([k, v]) => k !== "all" && levelOf(v) !== undefined && levelOf(v) !== "disabled");
}

/** Reads and checks a `--policy-pack-config` file against this pack's policies. */
export function readPolicyConfigFile(file: string): PolicyPackConfig {
    const config = readJson(file, "policy config");
    const problems = packConfigProblems(config, policies);
    // Before the reasons it lacks: one line for a config that switches everything off.
    if (typeof config === "object" && config !== null && !Array.isArray(config) && disablesEverything(config)) {
        throw new PolicyInputError(
            `policy config ${file} disables every rule ("all": "disabled" and none enabled again); a check of nothing would pass`,
        );
    }
    if (problems.length > 0) {
        throw new PolicyInputError(`policy config ${file}: ${problems.join("; ")}`);
    }
    return config as PolicyPackConfig;
}
