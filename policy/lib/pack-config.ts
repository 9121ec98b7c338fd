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

/**
 * Problems with a `--policy-pack-config` document, as the engine would reject it (bad levels,
 * settings that fail the policy's schema) plus names that match no policy of this pack, which the
 * engine ignores silently and are almost always typos.
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
    return problems;
}
