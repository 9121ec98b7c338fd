import type * as pulumi from "@pulumi/pulumi";
import { DataTier, type PrimaryDataFacts } from "../components/data";
import type { DataConfig, StackConfig } from "../config";
import type { RegionInfra } from "./infrastructure";
import { coreServiceAccount, instanceOf, required, type Topology } from "./topology";

/** A region's infrastructure with its data tier. */
export interface RegionWithData extends RegionInfra {
    readonly data: DataTier;
}

/** The data tiers, in build order: the primary's first, as the secondary replicates it. */
export function createDataTiers(
    cfg: StackConfig,
    t: Topology,
    regions: RegionInfra[],
    databasePassword?: pulumi.Output<string>,
): RegionWithData[] {
    let primaryFacts: PrimaryDataFacts | undefined;
    return regions.map((r) => {
        const data = createDataTier(cfg, t, r, regions, databasePassword, primaryFacts);
        primaryFacts ??= data.aws?.primaryFacts;
        return { ...r, data };
    });
}

function createDataTier(
    cfg: StackConfig,
    t: Topology,
    r: RegionInfra,
    all: RegionInfra[],
    databasePassword: pulumi.Output<string> | undefined,
    primaryFacts: PrimaryDataFacts | undefined,
): DataTier {
    const name = `${r.config.name}-data`;
    const data = cfg.data;
    if (data.flavour === "in-cluster") {
        return new DataTier(
            name,
            {
                inCluster: {
                    namespace: r.cluster.namespace,
                    instance: instanceOf(t, r.config),
                    postgresImage: data.inCluster.postgresImage,
                    valkeyImage: data.inCluster.valkeyImage,
                    databaseStorage: data.inCluster.databaseStorage,
                    mediaStorage: data.inCluster.mediaStorage,
                    mediaAccessMode: data.inCluster.mediaAccessMode,
                    storageClassName: data.inCluster.storageClassName,
                    mailCatcherImage: cfg.features.mailCatcher ? data.inCluster.mailpitImage : undefined,
                },
            },
            { providers: [r.cluster.provider] },
        );
    }
    return createAwsDataTier(name, cfg, data.aws, t, r, all, required(databasePassword, "the database password"), primaryFacts);
}

function createAwsDataTier(
    name: string,
    cfg: StackConfig,
    d: Extract<DataConfig, { flavour: "aws" }>["aws"],
    t: Topology,
    r: RegionInfra,
    all: RegionInfra[],
    appPassword: pulumi.Output<string>,
    primaryFacts: PrimaryDataFacts | undefined,
): DataTier {
    const region = required(r.aws, `the AWS foundations of region ${r.config.name}`);
    const others = all.filter((x) => x !== r).map((x) => required(x.aws, `the AWS foundations of region ${x.config.name}`));
    const origins = cfg.regions
        .flatMap((x) => [x.hosts.dashboard, ...Object.values(x.hosts.storefronts)])
        .map((h) => `${cfg.app.scheme}://${h}`);
    return new DataTier(
        name,
        {
            aws: {
                region: r.config.name,
                role: r.config.role,
                network: required(r.cluster.network, `the network of region ${r.config.name}`),
                peerCidrs: others.map((x) => x.vpcCidr),
                peerRegions: all.filter((x) => x !== r).map((x) => x.config.name),
                appPassword,
                postgres: d.postgres,
                cache: d.cache,
                media: { ...d.media, corsOrigins: origins, cdn: cfg.operations.mediaCdn },
                backup: {
                    vaultName: region.vault.vaultName,
                    copyToVaultArns: cfg.operations.drBackupCopy ? others.map((x) => x.vault.arn) : [],
                },
                primary: r.config.role === "primary" ? undefined : primaryFacts,
                protect: t.protect,
                accessLogs: region.logs.s3AccessLogs,
                workloadIdentity: {
                    namespace: r.cluster.namespace,
                    serviceAccountName: coreServiceAccount,
                    clusterName: required(r.cluster.clusterName, `the EKS cluster of region ${r.config.name}`),
                },
                tags: t.tags,
                permissionsBoundaryArn: region.permissionsBoundaryArn,
            },
        },
        { providers: [region.provider, r.cluster.provider] },
    );
}
