/**
 * RDS instance classes as plain data, free of SDK imports: config validation checks a stack's
 * instance class against this table, and the alarms size their thresholds from it.
 */

/** vCPUs of the size suffixes AWS uses across the general-purpose and memory-optimised families. */
const vcpusOfSize: Record<string, number> = {
    large: 2,
    xlarge: 4,
    "2xlarge": 8,
    "4xlarge": 16,
    "8xlarge": 32,
    "12xlarge": 48,
    "16xlarge": 64,
    "24xlarge": 96,
};

/** Memory per vCPU of a family: m* (general purpose) 4 GiB, r* (memory optimised) 8 GiB. */
const gibPerVcpu: Record<string, number> = {
    m5: 4,
    m5d: 4,
    m6g: 4,
    m6gd: 4,
    m6i: 4,
    m6id: 4,
    m7g: 4,
    m7gd: 4,
    m7i: 4,
    m8g: 4,
    r5: 8,
    r5d: 8,
    r6g: 8,
    r6gd: 8,
    r6i: 8,
    r6id: 8,
    r7g: 8,
    r7gd: 8,
    r7i: 8,
    r8g: 8,
};

/** Burstable classes do not follow a per-vCPU ratio: their memory per size, in GiB. */
const burstableGiB: Record<string, number> = { micro: 1, small: 2, medium: 4, large: 8, xlarge: 16, "2xlarge": 32 };
const burstableFamilies = new Set(["t3", "t4g"]);

/**
 * Memory of an RDS instance class in GiB (e.g. db.t4g.large 8, db.m7g.2xlarge 32, db.r7g.xlarge 32),
 * or undefined for a class outside the table: the db.t3/t4g, m5-m8 and r5-r8 families, large to 24xlarge.
 */
export function instanceMemoryGiB(instanceClass: string): number | undefined {
    const match = /^db\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(instanceClass);
    if (!match) return undefined;
    const [, family, size] = match;
    if (burstableFamilies.has(family)) return burstableGiB[size];
    const perVcpu = gibPerVcpu[family];
    const vcpus = vcpusOfSize[size];
    return perVcpu !== undefined && vcpus !== undefined ? perVcpu * vcpus : undefined;
}

/** The classes the table knows, in words, for messages. */
export function describeInstanceClassTable(): string {
    const sizes = Object.keys(vcpusOfSize);
    const burstableSizes = Object.keys(burstableGiB);
    return `db.{${[...burstableFamilies].join(",")}}.{${burstableSizes.join(",")}}; db.{${Object.keys(gibPerVcpu).join(",")}}.{${sizes.join(",")}}`;
}

/**
 * The certificate authority of every RDS instance's server certificate (r/db_instance
 * `ca_cert_identifier`; Amazon RDS User Guide, "Certificate authorities": rds-ca-rsa2048-g1 is valid
 * until 2061 and the default for new instances). Core verifies the server against the G1 root CAs
 * of the stack's regions (components/data/aws/rds-ca.ts), which cover this one.
 */
export const rdsCaCertIdentifier = "rds-ca-rsa2048-g1";
