/**
 * Where each alarm fires. Defaults are the production guide's critical alerts (the Production Deployment Guide, "Alert
 * Configuration": error rate > 1%, response time > 1 s (p95), server CPU > 90%, database
 * connections > 90%, disk space < 20%); the others are ours and say why.
 */
export interface AlarmThresholds {
    /** Share of ALB requests answered with a 5xx (by a target or by the ALB), percent, per 5 minutes. Default: 1 (the Production Deployment Guide). */
    readonly errorRatePercent: number;
    /**
     * Requests (plus ALB-generated 5xx) a 5-minute window needs before its error share is judged.
     * Below it a single failed request is already ≥ 1% (1 in 3 at night is 33%), so the alarm would
     * page on noise. Default: 100. A full outage at low traffic is the healthy-host alarm's job.
     */
    readonly minimumRequests: number;
    /** p95 of TargetResponseTime, seconds, per 5 minutes. Default: 1 (the Production Deployment Guide). */
    readonly p95ResponseTimeSeconds: number;
    /** RDS CPUUtilization, percent, writer and every replica. Default: 90 (the Production Deployment Guide, server CPU). */
    readonly databaseCpuPercent: number;
    /** DatabaseConnections as a share of the class's max_connections, percent. Default: 90 (the Production Deployment Guide). */
    readonly databaseConnectionsPercent: number;
    /** FreeStorageSpace below this share of the allocated storage, percent. Default: 20 (the Production Deployment Guide, disk space). */
    readonly databaseFreeStoragePercent: number;
    /**
     * ReplicaLag of a cross-region replica, seconds. Default: 300. Cross-region streaming normally
     * trails by seconds; bulk writes, vacuum or a migration can push it to a minute or two. Lag that
     * stays above 5 minutes means replication is stuck or cannot keep up: a failover would lose more
     * than 5 minutes of orders, the secondary reads stale data, and the writer keeps WAL for the
     * replication slot, eating its free storage.
     */
    readonly replicaLagSeconds: number;
    /**
     * ElastiCache EngineCPUUtilization, percent: the engine's main thread, which executes every
     * command, so it saturates before host CPU does. Default: 90 (the seed's CPU line); beyond it
     * cache reads and Celery's broker slow down together.
     */
    readonly cacheEngineCpuPercent: number;
    /**
     * ElastiCache DatabaseMemoryUsagePercentage, percent of maxmemory. Default: 80: the group holds
     * Saleor's cache, Celery's queue and the storefront's page cache; at 100% keys with a TTL are
     * evicted (volatile-lru) and, once nothing evictable is left, writes (new tasks) are refused.
     * 80% leaves time to scale the node type first.
     */
    readonly cacheMemoryPercent: number;
    /** Container Insights node_cpu_utilization, cluster average, percent. Default: 90 (the Production Deployment Guide, server CPU). */
    readonly nodeCpuPercent: number;
}

export const defaultThresholds: AlarmThresholds = {
    errorRatePercent: 1,
    minimumRequests: 100,
    p95ResponseTimeSeconds: 1,
    databaseCpuPercent: 90,
    databaseConnectionsPercent: 90,
    databaseFreeStoragePercent: 20,
    replicaLagSeconds: 300,
    cacheEngineCpuPercent: 90,
    cacheMemoryPercent: 80,
    nodeCpuPercent: 90,
};

/** Every problem with a set of thresholds (percentages within 0-100, positive numbers elsewhere). */
export function thresholdProblems(t: AlarmThresholds): string[] {
    const problems: string[] = [];
    const percents: (keyof AlarmThresholds)[] = [
        "errorRatePercent",
        "databaseCpuPercent",
        "databaseConnectionsPercent",
        "databaseFreeStoragePercent",
        "cacheEngineCpuPercent",
        "cacheMemoryPercent",
        "nodeCpuPercent",
    ];
    for (const key of percents) {
        if (!(t[key] > 0 && t[key] < 100)) problems.push(`thresholds.${key}: ${t[key]} is not a percentage between 0 and 100`);
    }
    for (const key of ["minimumRequests", "p95ResponseTimeSeconds", "replicaLagSeconds"] as const) {
        if (!(t[key] > 0)) problems.push(`thresholds.${key}: ${t[key]} must be greater than 0`);
    }
    return problems;
}
