import type { RegionConfig, StackConfig } from "../config";

/** Facts about the stack that every part of the assembly reads, derived once from config. */
export interface Topology {
    readonly stack: string;
    /** Tags on every AWS resource (through each provider's default tags). */
    readonly tags: Record<string, string>;
    /** Production: stateful resources are protected from deletion and replacement. */
    readonly protect: boolean;
    /** Regions in build order: the primary first (the secondary replicates it), then the rest as listed. */
    readonly regions: readonly RegionConfig[];
    /**
     * The home region: the first listed, whatever its role. The registry and the peering hang off it,
     * so a failover (which swaps roles, not the list) replaces neither.
     */
    readonly home: RegionConfig;
}

export function topologyOf(cfg: StackConfig, stack: string): Topology {
    return {
        stack,
        tags: { "saleor:stack": stack, "saleor:environment": cfg.environment, "managed-by": "pulumi" },
        protect: cfg.environment === "production",
        regions: [...cfg.regions].sort((a, b) => (a.role === b.role ? 0 : a.role === "primary" ? -1 : 1)),
        home: cfg.regions[0],
    };
}

/** app.kubernetes.io/instance of a region's objects: stack and region. */
export const instanceOf = (t: Topology, region: RegionConfig): string => `${t.stack}-${region.name}`;

/** The service account Core runs as; on AWS an IAM role for media is bound to it. */
export const coreServiceAccount = "saleor-core";

/** A value config validation guarantees; its absence is a bug in the program, said as one. */
export function required<T>(value: T | undefined, what: string): T {
    if (value === undefined) throw new Error(`internal error: ${what} is missing though config validation requires it`);
    return value;
}
