import { EnforcementLevel, Policies, Policy, PolicyPackConfig } from "@pulumi/policy";
import { schemaProblems } from "./json-schema";

export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** Config keys that are not policy names: "all" sets every policy's level, as with the engine. */
const ALL = "all";

function entryOf(config: PolicyPackConfig | undefined, name: string): { enforcementLevel?: EnforcementLevel; [key: string]: unknown } {
    const entry = config?.[name];
    if (entry === undefined) {
        return {};
    }
    return typeof entry === "string" ? { enforcementLevel: entry } : entry;
}

/**
 * The level the engine applies: the policy's own entry, else "all", else the policy's default,
 * else the pack's (pulumi/pulumi ReconcilePolicyPackConfig, then the analyzer's fallback).
 */
export function enforcementLevelOf(policy: Policy, config: PolicyPackConfig | undefined, packLevel: EnforcementLevel): EnforcementLevel {
    return entryOf(config, policy.name).enforcementLevel ?? entryOf(config, ALL).enforcementLevel ?? policy.enforcementLevel ?? packLevel;
}

/** What `args.getConfig()` returns under the engine: schema defaults, overridden key by key by the config file. */
export function policySettingsOf(policy: Policy, config: PolicyPackConfig | undefined): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        if (typeof schema === "object" && schema.default !== undefined) {
            result[key] = schema.default;
        }
    }
    const { enforcementLevel: _level, ...given } = entryOf(config, policy.name);
    return { ...result, ...given };
}

/** A rule the pack makes mandatory that a stack's config switches off, with the config's reason. */
export interface DisabledMandatoryRule {
    readonly policyName: string;
    /** The `reason` of the entry that disables it (the rule's own, or "all"'s); undefined when none is given. */
    readonly reason?: string;
    /** Whether the level comes from the "all" entry rather than the rule's own. */
    readonly byAll: boolean;
}

/** A non-empty `reason` text of a config entry, else undefined. */
function reasonOf(entry: { [key: string]: unknown }): string | undefined {
    const reason = entry.reason;
    return typeof reason === "string" && reason.trim() !== "" ? reason.trim() : undefined;
}

/**
 * The rules whose own level is mandatory (the production level, policy/lib/define.ts) that `config`
 * disables, in the pack's order. The engine itself asks no reason; this project does, so a stack
 * never loses a mandatory check without a sentence saying why, and every result can list them.
 */
export function disabledMandatoryRules(config: PolicyPackConfig | undefined, policies: Policies): DisabledMandatoryRule[] {
    if (config === undefined) return [];
    return policies
        .filter((policy) => policy.enforcementLevel === "mandatory" && enforcementLevelOf(policy, config, "advisory") === "disabled")
        .map((policy) => {
            const own = entryOf(config, policy.name);
            const byAll = own.enforcementLevel === undefined;
            const reason = reasonOf(byAll ? entryOf(config, ALL) : own);
            return { policyName: policy.name, byAll, ...(reason ? { reason } : {}) };
        });
}

/**
 * Problems with a `--policy-pack-config` document, as the engine would reject it (bad levels,
 * settings that fail the policy's schema) plus names that match no policy of this pack, which the
 * engine ignores silently and are almost always typos, and mandatory rules disabled without a
 * `reason` (this project's rule, not the engine's).
 */
export function packConfigProblems(config: unknown, policies: Policies): string[] {
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        return ["the policy pack config must be a JSON object keyed by policy name"];
    }
    const byName = new Map(policies.map((p) => [p.name, p]));
    const problems: string[] = [];
    for (const [name, entry] of Object.entries(config)) {
        const policy = byName.get(name);
        if (!policy && name !== ALL) {
            problems.push(`${name}: no policy of this pack has that name`);
            continue;
        }
        if (typeof entry === "string") {
            if (!ENFORCEMENT_LEVELS.includes(entry as EnforcementLevel)) {
                problems.push(`${name}: "${entry}" is not an enforcement level (${ENFORCEMENT_LEVELS.join(", ")})`);
            }
            continue;
        }
        if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
            problems.push(`${name}: must be an enforcement level or an object`);
            continue;
        }
        const { enforcementLevel, ...settings } = entry as Record<string, unknown>;
        if (enforcementLevel !== undefined && !ENFORCEMENT_LEVELS.includes(enforcementLevel as EnforcementLevel)) {
            problems.push(
                `${name}.enforcementLevel: "${String(enforcementLevel)}" is not an enforcement level (${ENFORCEMENT_LEVELS.join(", ")})`,
            );
        }
        const properties = policy?.configSchema?.properties ?? {};
        for (const [key, value] of Object.entries(settings)) {
            if (properties[key] !== undefined) {
                problems.push(...schemaProblems(value, properties[key], `${name}.${key}`));
            }
        }
        for (const key of policy?.configSchema?.required ?? []) {
            if (!(key in settings)) {
                problems.push(`${name}: ${key} is required`);
            }
        }
    }
    if (problems.length === 0) {
        for (const rule of disabledMandatoryRules(config as PolicyPackConfig, policies)) {
            if (rule.reason === undefined) {
                problems.push(
                    `${rule.policyName}${rule.byAll ? ' (by "all")' : ""}: disables a mandatory rule without a "reason"; ` +
                        `give the entry {"enforcementLevel": "disabled", "reason": "<why this stack may skip it>"}`,
                );
            }
        }
    }
    return problems;
}
