import type * as aws from "@pulumi/aws";
import { RegionalCluster } from "../components/cluster";
import type { BackupVault } from "../components/data/aws/vault";
import type { RegionalLogs } from "../components/logs";
import type { ClusterConfig, RegionConfig, StackConfig } from "../config";
import { awsOnly, awsProvider } from "./aws";
import { required, type Topology } from "./topology";
import { eksAddonVersions } from "../catalog/eks-addons";
import * as pulumi from "@pulumi/pulumi";

/** A region's AWS foundations: its provider, VPC range, backup vault and log buckets. */
export interface AwsRegion {
    readonly provider: aws.Provider;
    readonly vpcCidr: string;
    readonly vault: BackupVault;
    /** Where the region's flow, WAF, ALB and S3 access logs go. */
    readonly logs: RegionalLogs;
    /** The permissions boundary of every IAM role and user the region's components create (cluster.aws.permissionsBoundaryArn). */
    readonly permissionsBoundaryArn: string;
}

/** One region's infrastructure, built before any application object. */
export interface RegionInfra {
    readonly config: RegionConfig;
    readonly cluster: RegionalCluster;
    /** Present exactly when the stack is on AWS. */
    readonly aws?: AwsRegion;
}

/**
 * Every region's cluster, then (on AWS) the peering between the home region and each other region,
 * then a backup vault in every region: the primary's backup plan copies into the others'.
 */
export function createInfrastructure(cfg: StackConfig, t: Topology): RegionInfra[] {
    const cluster = cfg.cluster;
    if (cluster.flavour !== "aws") {
        return t.regions.map((region) => ({ config: region, cluster: existingCluster(cfg, cluster.existing, region) }));
    }
    const built = t.regions.map((region) => {
        // One provider per region, handed to components through options: nothing inside builds a
        // provider for a region it was not given.
        const provider = awsProvider(`aws-${region.name}`, region.name, t.tags);
        const vpcCidr = required(region.vpcCidr, `regions.${region.name}.vpcCidr`);
        // Before the cluster: its VPC's flow logs go there from the start.
        const logs = createLogs(region, provider, t);
        return { region, provider, vpcCidr, logs, cluster: awsCluster(cfg, cluster.aws, t, region, vpcCidr, provider, logs) };
    });
    connectRegions(built, t);
    if (cluster.aws.deployRunner) connectRunner(built, t, cluster.aws.deployRunner);
    return built.map((b) => ({
        config: b.region,
        cluster: b.cluster,
        aws: {
            provider: b.provider,
            vpcCidr: b.vpcCidr,
            vault: createVault(b.region, b.provider, t),
            logs: b.logs,
            permissionsBoundaryArn: cluster.aws.permissionsBoundaryArn,
        },
    }));
}

function existingCluster(cfg: StackConfig, existing: Extract<ClusterConfig, { flavour: "existing" }>["existing"], region: RegionConfig) {
    return new RegionalCluster(
        region.name,
        { namespace: cfg.cluster.namespace, existing: { ...existing, ingressClassName: cfg.cluster.ingressClassName } },
        { providers: [] },
    );
}

function awsCluster(
    cfg: StackConfig,
    settings: Extract<ClusterConfig, { flavour: "aws" }>["aws"],
    t: Topology,
    region: RegionConfig,
    vpcCidr: string,
    provider: aws.Provider,
    logs: RegionalLogs,
) {
    return new RegionalCluster(
        region.name,
        {
            namespace: cfg.cluster.namespace,
            aws: {
                region: region.name,
                kubernetesVersion: settings.kubernetesVersion,
                vpcCidr,
                natGateways: settings.natGateways,
                flowLogDestinationArn: logs.flowLogDestinationArn,
                endpointPublicAccessCidrs: settings.endpointPublicAccessCidrs,
                nodeGroups: settings.nodeGroups,
                adminRoleArns: settings.adminRoleArns,
                // The deploy runner reaches the private API endpoint over its peering (connectRunner).
                privateApiAccessCidrs: settings.deployRunner ? [settings.deployRunner.vpcCidr] : [],
                deployRoleArn: settings.deployRoleArn,
                permissionsBoundaryArn: settings.permissionsBoundaryArn,
                // The pins for the cluster's Kubernetes minor, with the stack's overrides.
                addonVersions: { ...eksAddonVersions[settings.kubernetesVersion], ...settings.addonVersions },
                containerInsights: cfg.operations.containerInsights,
                // Saleor's secrets live in Secrets Manager as saleor/<stack>/... (stack/secrets.ts).
                externalSecrets: {
                    secretNamePrefix: `saleor/${t.stack}/`,
                    namespaces: [cfg.cluster.namespace],
                    // The peered VPCs: the controller reaches AWS's public endpoints only.
                    privateCidrs: cfg.regions.flatMap((x) => (x.vpcCidr ? [x.vpcCidr] : [])),
                },
                protect: t.protect,
                tags: t.tags,
            },
        },
        { providers: [provider] },
    );
}

/**
 * A secondary's pods write to the primary's database writer across the peering; requested from the
 * home region, so the connection survives a failover.
 */
function connectRegions(built: { region: RegionConfig; provider: aws.Provider; cluster: RegionalCluster }[], t: Topology) {
    const { RegionPeering } = awsOnly();
    const home = required(
        built.find((b) => b.region.name === t.home.name),
        "the home region",
    );
    const side = (b: (typeof built)[number]) => ({
        region: b.region.name,
        network: required(b.cluster.network, `the network of region ${b.region.name}`),
        provider: b.provider,
    });
    for (const other of built.filter((b) => b !== home)) {
        new RegionPeering(`${home.region.name}-to-${other.region.name}`, { requester: side(home), accepter: side(other), tags: t.tags });
    }
}

/**
 * The deploy runner's VPC (the bootstrap's, in the home region) peered with every region's VPC, so a
 * deploy job on the runner reaches each cluster's private API endpoint. Requested from the runner's
 * side; a region's cluster admits the runner's range on 443 (privateApiAccessCidrs).
 */
function connectRunner(
    built: { region: RegionConfig; provider: aws.Provider; cluster: RegionalCluster }[],
    t: Topology,
    runner: NonNullable<Extract<ClusterConfig, { flavour: "aws" }>["aws"]["deployRunner"]>,
) {
    const { RegionPeering } = awsOnly();
    const home = required(
        built.find((b) => b.region.name === t.home.name),
        "the home region",
    );
    const runnerSide = {
        region: home.region.name,
        network: {
            vpcId: pulumi.output(runner.vpcId),
            vpcCidr: runner.vpcCidr,
            privateRouteTableIds: pulumi.output(runner.routeTableIds),
            privateRouteTableCount: runner.routeTableIds.length,
        },
        provider: home.provider,
    };
    for (const b of built) {
        const network = required(b.cluster.network, `the network of region ${b.region.name}`);
        new RegionPeering(`deploy-runner-to-${b.region.name}`, {
            requester: runnerSide,
            accepter: { region: b.region.name, network, provider: b.provider },
            tags: t.tags,
        });
    }
}

function createVault(region: RegionConfig, provider: aws.Provider, t: Topology): BackupVault {
    const { BackupVault } = awsOnly();
    // Production's vaults are locked: nobody, not even the deploy role, can delete what they hold.
    return new BackupVault(
        `${region.name}-backups`,
        { region: region.name, protect: t.protect, lock: t.protect, tags: t.tags },
        { providers: [provider] },
    );
}

/**
 * Logs are kept a year in production (the span an audit or an incident investigation reaches back
 * over), 90 days elsewhere.
 */
export const logRetentionDays = (t: Topology): number => (t.protect ? 365 : 90);

function createLogs(region: RegionConfig, provider: aws.Provider, t: Topology): RegionalLogs {
    const { RegionalLogs } = awsOnly();
    return new RegionalLogs(
        `${region.name}-logs`,
        { region: region.name, expirationDays: logRetentionDays(t), protect: t.protect, tags: t.tags },
        { providers: [provider] },
    );
}
