import { PolicyConfigSchema } from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

/**
 * One per-stack threshold of a policy: its JSON schema (what `--policy-pack-config` may set) and the
 * value used when the stack's config file leaves it out.
 */
export interface Setting<T> {
    readonly schema: PolicyConfigJSONSchema;
    readonly fallback: T;
}

export type SettingsSpec = Record<string, Setting<unknown>>;

export type SettingsOf<S extends SettingsSpec> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

/** CPU and memory as Kubernetes quantities ("500m", "2", "512Mi", "4Gi"); either may be left out. */
export interface CpuMemory {
    readonly cpu?: string;
    readonly memory?: string;
}

const quantityPattern = "^[+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+|n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$";

const cpuMemorySchema: PolicyConfigJSONSchema = {
    type: "object",
    properties: {
        cpu: { type: "string", pattern: quantityPattern },
        memory: { type: "string", pattern: quantityPattern },
    },
    additionalProperties: false,
};

export const setting = {
    integer(fallback: number, description: string, minimum = 0): Setting<number> {
        return { schema: { type: "integer", minimum, description }, fallback };
    },
    string(fallback: string, description: string): Setting<string> {
        return { schema: { type: "string", description }, fallback };
    },
    strings(fallback: string[], description: string): Setting<string[]> {
        return { schema: { type: "array", items: { type: "string" }, description }, fallback };
    },
    integers(fallback: number[], description: string): Setting<number[]> {
        return { schema: { type: "array", items: { type: "integer" }, description }, fallback };
    },
    cpuMemory(fallback: CpuMemory, description: string): Setting<CpuMemory> {
        return { schema: { ...cpuMemorySchema, description }, fallback };
    },
    /** Per Kubernetes component label: minimum requests and limits. */
    componentSizes(
        fallback: Record<string, { requests?: CpuMemory; limits?: CpuMemory }>,
        description: string,
    ): Setting<Record<string, { requests?: CpuMemory; limits?: CpuMemory }>> {
        return {
            schema: {
                type: "object",
                additionalProperties: {
                    type: "object",
                    properties: { requests: cpuMemorySchema, limits: cpuMemorySchema },
                    additionalProperties: false,
                },
                description,
            },
            fallback,
        };
    },
};

/** The `configSchema` the engine validates `--policy-pack-config` against; defaults are the fallbacks. */
export function configSchemaOf(spec: SettingsSpec): PolicyConfigSchema | undefined {
    const keys = Object.keys(spec);
    if (keys.length === 0) {
        return undefined;
    }
    const properties: Record<string, PolicyConfigJSONSchema> = {};
    for (const key of keys) {
        properties[key] = { ...spec[key].schema, default: spec[key].fallback as PolicyConfigJSONSchema["default"] };
    }
    return { properties };
}

/**
 * The engine already fills schema defaults into `getConfig()`; merging them again here keeps a rule
 * correct when it is called by anything that does not (older CLIs, hand-built test arguments).
 */
export function readSettings<S extends SettingsSpec>(getConfig: () => object, spec: S): SettingsOf<S> {
    const given = (getConfig() ?? {}) as Record<string, unknown>;
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(spec)) {
        result[key] = given[key] !== undefined ? given[key] : spec[key].fallback;
    }
    return result as SettingsOf<S>;
}
