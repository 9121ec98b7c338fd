import type { ConfigSource } from "../../config";

/** A ConfigSource over plain values, the way the engine hands them over (structures as JSON strings). */
export function configSource(values: Record<string, unknown>, secretKeys: string[] = []): ConfigSource {
    const raw: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) raw[k] = typeof v === "string" ? v : JSON.stringify(v);
    return { get: (k) => raw[k], isSecret: (k) => secretKeys.includes(k), keys: () => Object.keys(raw) };
}

/** A minimal valid dev stack. */
export const devStack = {
    environment: "dev",
    regions: [
        {
            name: "local",
            role: "primary",
            hosts: { api: "api.localhost", dashboard: "dashboard.localhost", storefronts: { de: "shop.localhost" } },
        },
    ],
    images: { storefront: { source: "image", repository: "registry.example.com/storefront", tag: "1.0.0" } },
};

/** A minimal valid production stack over two AWS regions. */
export const productionStack = {
    environment: "production",
    operations: { dnsZone: "example.com", apiHost: "api.example.com" },
    cluster: {
        aws: {
            deployRoleArn: "arn:aws:iam::123456789012:role/saleor-deploy-production",
            permissionsBoundaryArn: "arn:aws:iam::123456789012:policy/saleor-bootstrap/saleor-production-workload-boundary",
        },
    },
    regions: [
        {
            name: "eu-central-1",
            role: "primary",
            vpcCidr: "10.10.0.0/16",
            hosts: { api: "api.de.example.com", dashboard: "dashboard.de.example.com", storefronts: { de: "de.example.com" } },
        },
        {
            name: "eu-west-1",
            primaryMarket: "nl",
            role: "secondary",
            vpcCidr: "10.20.0.0/16",
            hosts: {
                api: "api.nl.example.com",
                dashboard: "dashboard.nl.example.com",
                storefronts: { nl: "nl.example.com", be: "be.example.com" },
            },
        },
    ],
    images: { storefront: { source: "image", repository: "registry.example.com/storefront", tag: "1.0.0" } },
};

/** Asserts `list` contains `item`, printing the whole list when it does not. */
export function assertIncludes(list: readonly string[], item: string) {
    if (!list.includes(item)) {
        throw new Error(`expected to find:\n  ${item}\nin:\n${list.map((l) => `  ${l}`).join("\n")}`);
    }
}
