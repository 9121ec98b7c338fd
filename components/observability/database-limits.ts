/**
 * Limits of an RDS PostgreSQL instance that alarm thresholds are relative to, computed from its
 * instance class (known before deployment) so a threshold is a plain number a reviewer can check.
 */

import { instanceMemoryGiB } from "../../catalog/rds";

export { instanceMemoryGiB };

const GiB = 1024 ** 3;

/**
 * The divisor and cap of RDS PostgreSQL's default `max_connections`,
 * `LEAST({DBInstanceClassMemory/9531392}, 5000)` (Amazon RDS User Guide, "Maximum number of database
 * connections", PostgreSQL row). Our parameter group leaves max_connections at this default.
 */
export const maxConnectionsDivisor = 9531392;
export const maxConnectionsCap = 5000;

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
