/**
 * vCPUs per EC2 instance size for the general-purpose, compute and memory families the stacks
 * allow. Within these families the count depends only on the size (m7i.2xlarge = c6i.2xlarge = 8),
 * except the burstable t-families' small sizes, which all have 2.
 */
const sizeVcpus: Record<string, number> = {
    medium: 1,
    large: 2,
    xlarge: 4,
    "2xlarge": 8,
    "4xlarge": 16,
    "8xlarge": 32,
    "12xlarge": 48,
    "16xlarge": 64,
    "24xlarge": 96,
    "32xlarge": 128,
    "48xlarge": 192,
};

const burstableVcpus: Record<string, number> = {
    nano: 2,
    micro: 2,
    small: 2,
    medium: 2,
    large: 2,
    xlarge: 4,
    "2xlarge": 8,
};

const families = new Set([
    "m5",
    "m5a",
    "m6i",
    "m6a",
    "m6g",
    "m7i",
    "m7a",
    "m7g",
    "c5",
    "c6i",
    "c6a",
    "c6g",
    "c7i",
    "c7a",
    "c7g",
    "r5",
    "r6i",
    "r6a",
    "r6g",
    "r7i",
    "r7a",
    "r7g",
]);
const burstableFamilies = new Set(["t3", "t3a", "t4g"]);

/** vCPUs of an instance type, or undefined when it is not in the table. */
export function vcpusOf(instanceType: string): number | undefined {
    const [family, size] = instanceType.split(".");
    if (size === undefined) {
        return undefined;
    }
    if (burstableFamilies.has(family)) {
        return burstableVcpus[size];
    }
    if (families.has(family)) {
        // Graviton (g) families start at medium; Intel/AMD ones at large.
        return size === "medium" && !family.endsWith("g") ? undefined : sizeVcpus[size];
    }
    return undefined;
}
