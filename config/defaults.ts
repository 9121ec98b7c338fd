import type { Environment } from "./schema";

/**
 * Defaults per environment: the one place sizes and switches are decided. A stack file overrides
 * any key; objects merge key by key, arrays and scalars replace.
 *
 * Sizes come from the user's deployment documents: production web pods reserve 1 CPU / 2 GB and may
 * use 2 CPU / 4 GB with 3 replicas, Celery workers 2 replicas with concurrency 4 and 1 CPU / 2 GB,
 * the database 8 cores / 32 GB / 500 GB SSD with backups kept 30 days, Redis 2 CPU / 8 GB, two or
 * more load-balanced application servers of 8 cores / 16 GB; staging is one 4-core / 8 GB / 50 GB
 * machine's worth; development 2 cores / 4 GB.
 */
export function environmentDefaults(env: Environment): Record<string, unknown> {
    const common = {
        saleorVersion: "3.23.5",
        dashboardVersion: "3.23.0",
        regionReleases: {},
        images: {
            core: { source: "upstream", repository: "ghcr.io/saleor/saleor" },
            dashboard: { repository: "ghcr.io/saleor/saleor-dashboard" },
        },
        features: { demoData: false, mailCatcher: false },
    };
    // Test orders through the Dummy Payment app in dev and staging; real payments (Stripe) in production only.
    const storefront = (payments: { dummy: boolean; stripe: boolean }) => ({ channels: {}, payments });
    // Dev has none of the AWS operations; staging gets the edge, alarms and Container Insights (it is where they are
    // tried), production everything: CDN, Container Insights and backups copied across regions.
    const operations = (on: { edge: boolean; mediaCdn: boolean; alarms: boolean; containerInsights: boolean; drBackupCopy: boolean }) => ({
        ...on,
        alertEmails: [],
    });
    switch (env) {
        case "dev":
            return {
                ...common,
                workloads: {
                    api: { replicas: 1, resources: res("250m", "512Mi", "1", "1Gi") },
                    worker: { replicas: 1, resources: res("100m", "384Mi", "500m", "768Mi") },
                    beat: { replicas: 1, resources: res("50m", "192Mi", "250m", "384Mi") },
                    dashboard: { replicas: 1, resources: res("25m", "32Mi", "200m", "128Mi") },
                    storefront: { replicas: 1, resources: res("100m", "256Mi", "500m", "512Mi") },
                    migration: { resources: res("250m", "512Mi", "1", "1Gi"), backoffLimit: 2, activeDeadlineSeconds: 1800 },
                },
                cluster: { flavour: "existing", namespace: "saleor", ingressClassName: "nginx", existing: {} },
                data: {
                    flavour: "in-cluster",
                    inCluster: {
                        postgresImage: "postgres:15.12-alpine",
                        valkeyImage: "valkey/valkey:8.1.1-alpine",
                        mailpitImage: "axllent/mailpit:v1.21.8",
                        databaseStorage: "10Gi",
                        mediaStorage: "5Gi",
                    },
                },
                features: { demoData: false, mailCatcher: true },
                storefront: storefront({ dummy: true, stripe: false }),
                operations: operations({ edge: false, mediaCdn: false, alarms: false, containerInsights: false, drBackupCopy: false }),
                app: {
                    debug: true,
                    scheme: "http",
                    defaultFromEmail: "noreply@localhost.localdomain",
                    playground: true,
                    telemetry: false,
                    apiWorkers: 1,
                    workerConcurrency: 2,
                },
            };
        case "staging":
            return {
                ...common,
                workloads: {
                    api: {
                        replicas: 2,
                        resources: res("500m", "1Gi", "1", "2Gi"),
                        autoscaling: { maxReplicas: 4, targetCpuUtilization: 70 },
                    },
                    worker: { replicas: 1, resources: res("250m", "512Mi", "1", "1Gi") },
                    beat: { replicas: 1, resources: res("50m", "192Mi", "250m", "384Mi") },
                    dashboard: { replicas: 1, resources: res("50m", "64Mi", "250m", "128Mi") },
                    storefront: { replicas: 1, resources: res("250m", "512Mi", "1", "1Gi") },
                    migration: { resources: res("500m", "1Gi", "1", "2Gi"), backoffLimit: 2, activeDeadlineSeconds: 1800 },
                },
                cluster: {
                    flavour: "aws",
                    namespace: "saleor",
                    ingressClassName: "alb",
                    aws: {
                        kubernetesVersion: "1.34",
                        endpointPublicAccessCidrs: [],
                        natGateways: "single",
                        nodeGroups: [
                            { name: "general", instanceTypes: ["m7i.xlarge"], minSize: 1, desiredSize: 2, maxSize: 3, diskSizeGiB: 50 },
                        ],
                    },
                },
                data: {
                    flavour: "aws",
                    aws: {
                        postgres: {
                            engineVersion: "16",
                            instanceClass: "db.t4g.large",
                            allocatedStorageGiB: 50,
                            maxAllocatedStorageGiB: 100,
                            multiAz: false,
                            backupRetentionDays: 7,
                            deletionProtection: false,
                            inRegionReplica: false,
                        },
                        cache: { engineVersion: "8.1", nodeType: "cache.t4g.small", nodes: 1, multiAz: false },
                        media: { noncurrentVersionDays: 14, replicate: false },
                    },
                },
                app: {
                    debug: false,
                    scheme: "https",
                    // Its own sending domain: SES verifies a domain once per account and region, and
                    // staging may share production's account.
                    defaultFromEmail: "noreply@staging.example.com",
                    playground: true,
                    telemetry: false,
                    apiWorkers: 2,
                    workerConcurrency: 2,
                },
                operations: operations({ edge: true, mediaCdn: false, alarms: true, containerInsights: true, drBackupCopy: false }),
                storefront: storefront({ dummy: true, stripe: false }),
            };
        case "production":
            return {
                ...common,
                workloads: {
                    api: {
                        replicas: 3,
                        resources: res("1", "2Gi", "2", "4Gi"),
                        autoscaling: { maxReplicas: 10, targetCpuUtilization: 70 },
                    },
                    worker: {
                        replicas: 2,
                        resources: res("500m", "1Gi", "1", "2Gi"),
                        autoscaling: { maxReplicas: 6, targetCpuUtilization: 75 },
                    },
                    beat: { replicas: 1, resources: res("100m", "256Mi", "500m", "512Mi") },
                    dashboard: { replicas: 2, resources: res("50m", "64Mi", "250m", "128Mi") },
                    storefront: {
                        replicas: 2,
                        resources: res("500m", "1Gi", "1", "2Gi"),
                        autoscaling: { maxReplicas: 8, targetCpuUtilization: 70 },
                    },
                    migration: { resources: res("1", "2Gi", "2", "4Gi"), backoffLimit: 1, activeDeadlineSeconds: 3600 },
                },
                cluster: {
                    flavour: "aws",
                    namespace: "saleor",
                    ingressClassName: "alb",
                    aws: {
                        kubernetesVersion: "1.34",
                        endpointPublicAccessCidrs: [],
                        natGateways: "perAz",
                        nodeGroups: [
                            { name: "general", instanceTypes: ["m7i.2xlarge"], minSize: 3, desiredSize: 3, maxSize: 6, diskSizeGiB: 100 },
                        ],
                    },
                },
                data: {
                    flavour: "aws",
                    aws: {
                        postgres: {
                            engineVersion: "16",
                            instanceClass: "db.m7g.2xlarge",
                            allocatedStorageGiB: 500,
                            maxAllocatedStorageGiB: 1000,
                            multiAz: true,
                            backupRetentionDays: 30,
                            deletionProtection: true,
                            inRegionReplica: true,
                        },
                        cache: { engineVersion: "8.1", nodeType: "cache.r7g.large", nodes: 2, multiAz: true },
                        media: { noncurrentVersionDays: 30, replicate: true },
                    },
                },
                app: {
                    debug: false,
                    scheme: "https",
                    defaultFromEmail: "noreply@example.com",
                    playground: false,
                    telemetry: false,
                    apiWorkers: 2,
                    workerConcurrency: 4,
                },
                operations: operations({ edge: true, mediaCdn: true, alarms: true, containerInsights: true, drBackupCopy: true }),
                storefront: storefront({ dummy: false, stripe: true }),
            };
    }
}

function res(cpuRequest: string, memoryRequest: string, cpuLimit: string, memoryLimit: string) {
    return { requests: { cpu: cpuRequest, memory: memoryRequest }, limits: { cpu: cpuLimit, memory: memoryLimit } };
}

/**
 * Objects merge key by key; arrays and scalars from `override` replace. An object that changes its
 * `source` (an image pulled vs. built) is a different variant and replaces the default whole.
 */
export function deepMerge(base: unknown, override: unknown): unknown {
    if (isPlainObject(base) && isPlainObject(override)) {
        if ("source" in override && override.source !== base.source) return override;
        const out: Record<string, unknown> = { ...base };
        for (const [k, v] of Object.entries(override)) {
            out[k] = k in base ? deepMerge(base[k], v) : v;
        }
        return out;
    }
    return override === undefined ? base : override;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}
