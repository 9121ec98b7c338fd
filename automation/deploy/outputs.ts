// Reads the stack outputs the program promises; the contract is declared once, in stack/outputs.ts:
// `primaryRegion` and `regions.<name>.{role, release, endpoints}`.
import type { RegionOutputs, StackOutputs } from "../../stack/outputs";

/** A deployed region's URLs; the Dashboard's is optional, so the driver also reads older stacks' outputs. */
export type RegionEndpoints = Omit<RegionOutputs["endpoints"], "dashboard"> & { dashboard?: string };

export interface DeployedRegion extends Pick<RegionOutputs, "role" | "release" | "saleorVersion"> {
    name: string;
    endpoints: RegionEndpoints;
}

export interface DeployedStack {
    environment?: StackOutputs["environment"];
    /** Primary first, then secondaries in the order the program declared them. */
    regions: DeployedRegion[];
}

export class OutputsError extends Error {
    constructor(problem: string) {
        super(`The stack outputs do not match the driver's contract: ${problem}`);
        this.name = "OutputsError";
    }
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requireString(value: unknown, where: string): string {
    if (typeof value !== "string" || value === "") {
        throw new OutputsError(`${where} must be a non-empty string`);
    }
    return value;
}

function parseEndpoints(value: unknown, where: string): RegionEndpoints {
    if (!isRecord(value)) {
        throw new OutputsError(`${where} must be an object`);
    }
    const storefronts = value.storefronts ?? [];
    if (!Array.isArray(storefronts)) {
        throw new OutputsError(`${where}.storefronts must be a list of URLs`);
    }
    return {
        api: requireString(value.api, `${where}.api`),
        graphql: requireString(value.graphql, `${where}.graphql`),
        health: requireString(value.health, `${where}.health`),
        dashboard: typeof value.dashboard === "string" ? value.dashboard : undefined,
        storefronts: storefronts.map((url, i) => requireString(url, `${where}.storefronts[${i}]`)),
    };
}

/** A stack that was never deployed has no outputs: that is an empty region list, not an error. */
export function parseDeployedStack(outputs: Record<string, unknown>): DeployedStack {
    const environment = typeof outputs.environment === "string" ? outputs.environment : undefined;
    if (outputs.regions === undefined) {
        return { environment, regions: [] };
    }
    if (!isRecord(outputs.regions)) {
        throw new OutputsError("`regions` must be an object keyed by region name");
    }
    const regions = Object.entries(outputs.regions).map(([name, raw]): DeployedRegion => {
        const where = `regions.${name}`;
        if (!isRecord(raw)) {
            throw new OutputsError(`${where} must be an object`);
        }
        if (raw.role !== "primary" && raw.role !== "secondary") {
            throw new OutputsError(`${where}.role must be "primary" or "secondary"`);
        }
        return {
            name,
            role: raw.role,
            release: requireString(raw.release, `${where}.release`),
            ...(typeof raw.saleorVersion === "string" ? { saleorVersion: raw.saleorVersion } : {}),
            endpoints: parseEndpoints(raw.endpoints, `${where}.endpoints`),
        };
    });
    const primaryName = typeof outputs.primaryRegion === "string" ? outputs.primaryRegion : regions.find((r) => r.role === "primary")?.name;
    const primary = regions.filter((r) => r.name === primaryName);
    if (regions.length > 0 && primary.length !== 1) {
        throw new OutputsError(`primaryRegion ${JSON.stringify(primaryName)} is not one of the regions`);
    }
    // Object key order is the program's declaration order, which is the rollout order.
    return { environment, regions: [...primary, ...regions.filter((r) => r.name !== primaryName)] };
}
