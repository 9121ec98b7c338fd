/**
 * Limits of an RDS PostgreSQL instance that alarm thresholds are relative to, computed from its
 * instance class (known before deployment) so a threshold is a plain number a reviewer can check.
 */

const GiB = 1024 ** 3;

/**
 * The divisor and cap of RDS PostgreSQL's default `max_connections`,
 * `LEAST({DBInstanceClassMemory/9531392}, 5000)` (Amazon RDS User Guide, "Maximum number of database
 * connections", PostgreSQL row). Our parameter group leaves max_connections at this default.
 */
export const maxConnectionsDivisor = 9531392;
export const maxConnectionsCap = 5000;

/** vCPUs of the size suffixes AWS uses across the general-purpose and memory-optimised families. */
const vcpusOfSize: Record<string, number> = {
    "large": 2, "xlarge": 4, "2xlarge": 8, "4xlarge": 16, "8xlarge": 32, "12xlarge": 48, "16xlarge": 64, "24xlarge": 96,
};

/** Memory per vCPU of a family: m* (general purpose) 4 GiB, r* (memory optimised) 8 GiB. */
const gibPerVcpu: Record<string, number> = {
    m5: 4, m5d: 4, m6g: 4, m6gd: 4, m6i: 4, m6id: 4, m7g: 4, m7gd: 4, m7i: 4, m8g: 4,
    r5: 8, r5d: 8, r6g: 8, r6gd: 8, r6i: 8, r6id: 8, r7g: 8, r7gd: 8, r7i: 8, r8g: 8,
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

/**
 * RDS PostgreSQL's default max_connections for an instance class, from its nominal memory. RDS
 * evaluates the formula on DBInstanceClassMemory, which is somewhat below the nominal size (RDS
 * keeps memory for the OS and its agents), so the real limit can be a few percent lower: a
 * threshold computed from this fires slightly late, never early. Where that matters, read
 * `SHOW max_connections;` on the instance and pass it as `maxConnections`.
 */
export function postgresMaxConnections(instanceClass: string): number | undefined {
    const gib = instanceMemoryGiB(instanceClass);
    if (gib === undefined) return undefined;
    return Math.min(Math.floor((gib * GiB) / maxConnectionsDivisor), maxConnectionsCap);
}

/**
 * The connection count above which the alarm fires: `percent` of max_connections, rounded down, so
 * "more than the threshold" is exactly "more than `percent`%" for a whole number of connections.
 */
export function connectionThreshold(maxConnections: number, percent: number): number {
    return Math.floor((maxConnections * percent) / 100);
}

/** `percent` of an allocation of `gib` GiB, in bytes (the unit of FreeStorageSpace). */
export function storageThresholdBytes(gib: number, percent: number): number {
    return Math.round((gib * GiB * percent) / 100);
}
