import { parseDeployedStack } from "./outputs";
import type { DeployStack } from "./stack";

// `npm run deploy -- --status --stack <s>`: what runs where, read from the stack outputs alone
// (the last update's record; nothing is previewed or changed). The outputs carry each region's
// release (the Core image's tag as the program resolved it), the Saleor version, where it runs and
// its URLs; image references are printed too when a region exports them as `images`.

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function renderStatus(stackName: string, outputs: Record<string, unknown>): string {
    const deployed = parseDeployedStack(outputs);
    if (deployed.regions.length === 0) {
        return `Stack ${stackName} has no deployed regions (no stack outputs yet).`;
    }
    const rawRegions = isRecord(outputs.regions) ? outputs.regions : {};
    const lines = [`Stack ${stackName}${deployed.environment ? ` (${deployed.environment})` : ""}:`];
    for (const r of deployed.regions) {
        const raw = isRecord(rawRegions[r.name]) ? (rawRegions[r.name] as Record<string, unknown>) : {};
        lines.push(`  ${r.name} (${r.role})`);
        lines.push(`    release         ${r.release}`);
        lines.push(`    Saleor version  ${r.saleorVersion ?? "(not exported by this stack's outputs)"}`);
        if (isRecord(raw.images)) {
            for (const [name, ref] of Object.entries(raw.images)) {
                if (typeof ref === "string") lines.push(`    image ${name.padEnd(9)} ${ref}`);
            }
        }
        const where = [raw.clusterFlavour, raw.clusterName, raw.namespace].filter((x): x is string => typeof x === "string");
        if (where.length > 0) lines.push(`    runs on         ${where.join(" / ")}`);
        lines.push(`    API             ${r.endpoints.api}`);
        if (r.endpoints.dashboard) lines.push(`    Dashboard       ${r.endpoints.dashboard}`);
        for (const url of r.endpoints.storefronts) lines.push(`    storefront      ${url}`);
    }
    return lines.join("\n");
}

export async function stackStatus(stack: DeployStack): Promise<string> {
    return renderStatus(stack.name, await stack.outputs());
}
