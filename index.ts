import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type * as AwsOnly from "./components/aws-only";
import { RegionalCluster } from "./components/cluster";
import { SaleorCore, type IngressSettings } from "./components/core";
import { DataTier, type ConnectionFacts, type PrimaryDataFacts } from "./components/data";
import type { BackupVault } from "./components/data/aws/vault";
import { observabilityEnv } from "./components/observability/env";
import { ContainerImage } from "./components/image";
import type { ImageRegistry } from "./components/registry";
import { SaleorSecrets } from "./components/secrets";
import { Storefront } from "./components/storefront";
import { AppNetworkPolicies } from "./components/network-policies";
import { loadStackConfig, type RegionConfig, type StackConfig } from "./config";

/** What the stack exports per region; the deploy driver reads `release` and `endpoints`. */
interface RegionOutputs {
    role: "primary" | "secondary";
    release: string;
    endpoints: {
        api: pulumi.Output<string>;
        graphql: pulumi.Output<string>;
        health: pulumi.Output<string>;
        dashboard: pulumi.Output<string>;
        storefronts: pulumi.Output<string[]>;
    };
    namespace: pulumi.Output<string>;
    clusterFlavour: "existing" | "aws";
    dataFlavour: "in-cluster" | "aws";
    clusterName?: pulumi.Output<string>;
}

/** The AWS SDK and AWS-only components, loaded the first time a stack on AWS asks for them. */
let awsOnlyModules: typeof AwsOnly | undefined;
const awsOnly = (): typeof AwsOnly => (awsOnlyModules ??= require("./components/aws-only") as typeof AwsOnly);

/** An AWS provider for one region, tagging everything it creates with the stack's tags. */
const awsProvider = (name: string, region: string, tags: Record<string, string>): aws.Provider =>
    new (awsOnly().aws.Provider)(name, { region: region as aws.Region, defaultTags: { tags } });

/** The service account Core runs as; on AWS an IAM role for media is bound to it. */
const coreServiceAccount = "saleor-core";

/** One region's infrastructure, built before any application object. */
interface RegionInfra {
    readonly config: RegionConfig;
    readonly awsProvider?: aws.Provider;
    readonly cluster: RegionalCluster;
    /** The region's AWS Backup vault (AWS flavour). */
    vault?: BackupVault;
    data?: DataTier;
}

/**
 * The program: load the stack's config (failing with every problem before any resource exists),
 * build every region's cluster, connect them, build the data tiers (primary first: the secondary
 * replicates it), then Saleor in each region, primary first, and export the endpoints.
 *
 * Failover is a config change (README, "Regional failover"): swap the regions' `role`s. Everything
 * stateful is therefore named and placed by region, never by role: the database instances, media
 * buckets, keys and backup vaults of a region keep their names in either role; the registry and the
 * peering hang off the home region (the first listed), which a failover does not change.
 */
async function main() {
    const cfg = loadStackConfig();
    const stack = pulumi.getStack();
    const onAws = cfg.cluster.flavour === "aws";
    const tags = { "saleor:stack": stack, "saleor:environment": cfg.environment, "managed-by": "pulumi" };
    const production = cfg.environment === "production";

    const regions: RegionInfra[] = [...cfg.regions]
        .sort((a, b) => (a.role === b.role ? 0 : a.role === "primary" ? -1 : 1))
        .map((region) => {
            // One provider per region, handed to components through options: nothing inside
            // builds a provider for a region it was not given.
            const provider = onAws ? awsProvider(`aws-${region.name}`, region.name, tags) : undefined;
            const cluster = new RegionalCluster(region.name, {
                namespace: cfg.cluster.namespace,
                existing: onAws ? undefined : { ...cfg.cluster.existing },
                aws: onAws ? {
                    region: region.name,
                    kubernetesVersion: cfg.cluster.aws!.kubernetesVersion,
                    vpcCidr: region.vpcCidr!,
                    natGateways: cfg.cluster.aws!.natGateways,
                    endpointPublicAccessCidrs: cfg.cluster.aws!.endpointPublicAccessCidrs,
                    nodeGroups: cfg.cluster.aws!.nodeGroups,
                    adminRoleArns: cfg.cluster.aws!.adminRoleArns,
                    containerInsights: cfg.operations.containerInsights,
                    protect: production,
                    tags,
                } : undefined,
            }, { providers: provider ? [provider] : [] });
            return { config: region, awsProvider: provider, cluster };
        });
    const [primary] = regions;
    // The home region: the first listed, whatever its role. A failover swaps roles, not the list.
    const home = regions.find((r) => r.config.name === cfg.regions[0].name)!;
    const others = regions.filter((r) => r !== home);

    // A secondary's pods write to the primary's database writer across the peering; requested from
    // the home region, so the connection survives a failover.
    if (onAws) {
        const { RegionPeering, BackupVault } = awsOnly();
        for (const o of others) {
            new RegionPeering(`${home.config.name}-to-${o.config.name}`, {
                requester: { region: home.config.name, network: home.cluster.network!, provider: home.awsProvider! },
                accepter: { region: o.config.name, network: o.cluster.network!, provider: o.awsProvider! },
                tags,
            });
        }
        // A backup vault in every region, before the tiers: the primary's plan copies into the others'.
        for (const r of regions) {
            r.vault = new BackupVault(`${r.config.name}-backups`, { region: r.config.name, protect: production, tags }, { providers: [r.awsProvider!] });
        }
    }

    const secrets = new SaleorSecrets("saleor", { databasePassword: onAws });
    let primaryFacts: PrimaryDataFacts | undefined;
    for (const r of regions) {
        r.data = buildDataTier(cfg, stack, r, regions, tags, secrets.databasePassword, primaryFacts);
        primaryFacts ??= r.data.aws?.primaryFacts;
    }

    // Media is served by CloudFront, which reads the primary's bucket (and with media replication,
    // falls back to the secondary's copy); its WAF, certificate and DNS go through us-east-1.
    const mediaCdn = cfg.operations.mediaCdn ? new (awsOnly().MediaCdn)("media-cdn", {
        origins: regions.map((r) => r.data!.aws!.mediaCdnOrigin!),
        failoverToReplica: cfg.data.aws!.media.replicate && regions.length > 1,
        zoneName: cfg.operations.dnsZone!,
        globalProvider: awsProvider("aws-global", "us-east-1", tags),
        tags,
    }) : undefined;

    // Images live in the home region's registry and are replicated to the others.
    const registry = onAws ? new (awsOnly().ImageRegistry)("images", {
        repositories: [
            ...(cfg.images.core.source === "build" ? [cfg.images.core.repositoryName] : []),
            ...(cfg.images.storefront.source === "build" ? [cfg.images.storefront.repositoryName] : []),
        ],
        replicateTo: others.map((o) => o.config.name),
        protect: production,
        tags,
    }, { providers: [home.awsProvider!] }) : undefined;

    // A built Core image is tagged by release in an immutable registry: build each release once,
    // however many regions run it (two during a staged rollout).
    const coreBuilds = new Map<string, ContainerImage>();
    const coreImage = (release: string): ContainerImage | undefined => {
        const core = cfg.images.core;
        if (core.source !== "build") return undefined;
        if (!coreBuilds.has(release)) {
            coreBuilds.set(release, new ContainerImage(`core-${release}`, {
                build: {
                    context: core.context,
                    dockerfile: core.dockerfile,
                    // The thin image adds a non-root USER to the pinned upstream version.
                    args: { SALEOR_VERSION: cfg.saleorVersion },
                    imageName: registry ? pulumi.interpolate`${registry.repositoryUrls[core.repositoryName]}:${release}` : `${core.repositoryName}:${release}`,
                    skipPush: !registry,
                    ...(registry ? { registry: registry.credentials } : {}),
                },
            }));
        }
        return coreBuilds.get(release);
    };

    const outputs: Record<string, RegionOutputs> = {};
    let primaryMigration: pulumi.Resource | undefined;
    for (const r of regions) {
        const connection = mediaCdn ? awsOnly().withMediaCustomDomain(r.data!.connection, mediaCdn.domainName) : r.data!.connection;
        const built = buildApplication(cfg, stack, r, connection, secrets, registry && { registry, region: home.config.name }, coreImage(cfg.releases[r.config.name]), primaryMigration, tags);
        primaryMigration ??= built.migrationJob;
        outputs[r.config.name] = built.outputs;
    }

    return {
        environment: cfg.environment,
        primaryRegion: primary.config.name,
        saleorVersion: cfg.saleorVersion,
        regions: outputs,
    };
}

function buildDataTier(cfg: StackConfig, stack: string, r: RegionInfra, all: RegionInfra[], tags: Record<string, string>,
    databasePassword?: pulumi.Output<string>, primaryFacts?: PrimaryDataFacts): DataTier {
    const name = `${r.config.name}-data`;
    if (cfg.data.flavour === "in-cluster") {
        const inCluster = cfg.data.inCluster!;
        return new DataTier(name, {
            inCluster: {
                namespace: r.cluster.namespace,
                instance: `${stack}-${r.config.name}`,
                postgresImage: inCluster.postgresImage,
                valkeyImage: inCluster.valkeyImage,
                databaseStorage: inCluster.databaseStorage,
                mediaStorage: inCluster.mediaStorage,
                storageClassName: inCluster.storageClassName,
                mailCatcherImage: cfg.features.mailCatcher ? inCluster.mailpitImage : undefined,
            },
        }, { providers: [r.cluster.provider] });
    }
    const d = cfg.data.aws!;
    const origins = cfg.regions.flatMap((x) => [x.hosts.dashboard, ...Object.values(x.hosts.storefronts)]).map((h) => `${cfg.app.scheme}://${h}`);
    return new DataTier(name, {
        aws: {
            region: r.config.name,
            role: r.config.role,
            network: r.cluster.network!,
            peerCidrs: all.filter((x) => x !== r).map((x) => x.config.vpcCidr!),
            masterPassword: databasePassword!,
            postgres: d.postgres,
            cache: d.cache,
            media: { ...d.media, corsOrigins: origins, cdn: cfg.operations.mediaCdn },
            backup: {
                vaultName: r.vault!.vaultName,
                copyToVaultArns: cfg.operations.drBackupCopy ? all.filter((x) => x !== r).map((x) => x.vault!.arn) : [],
            },
            primary: r.config.role === "primary" ? undefined : primaryFacts,
            protect: cfg.environment === "production",
            workloadIdentity: { namespace: r.cluster.namespace, serviceAccountName: coreServiceAccount, clusterName: r.cluster.clusterName! },
            tags,
        },
    }, { providers: [r.awsProvider!, r.cluster.provider] });
}

function buildApplication(cfg: StackConfig, stack: string, r: RegionInfra, connection: ConnectionFacts, secrets: SaleorSecrets,
    images: { registry: ImageRegistry; region: string } | undefined, builtCore: ContainerImage | undefined, primaryMigration: pulumi.Resource | undefined,
    tags: Record<string, string>) {
    const region = r.config;
    const instance = `${stack}-${region.name}`;
    const release = cfg.releases[region.name];
    const storefrontHosts = Object.values(region.hosts.storefronts);
    const k8sOpts: pulumi.ComponentResourceOptions = { providers: [r.cluster.provider] };
    const isPrimary = region.role === "primary";
    const onAws = r.awsProvider !== undefined;

    // The region's certificate and WAF, attached to its ALB through the Ingress annotations.
    const edge = onAws && cfg.operations.edge ? new (awsOnly().RegionalEdge)(`${region.name}-edge`, {
        region: region.name,
        zoneName: cfg.operations.dnsZone!,
        hosts: [region.hosts.api, region.hosts.dashboard, ...storefrontHosts],
        apiHost: region.hosts.api,
        tags,
    }, { providers: [r.awsProvider!] }) : undefined;

    const ingress: IngressSettings = onAws ? {
        className: cfg.cluster.ingressClassName,
        // TLS for every host: the edge's certificate, or one the controller finds in ACM by host.
        tls: {},
        // One internet-facing ALB per region shared by every Ingress of the stack; plain HTTP redirected.
        annotations: {
            ...(edge ? {
                "alb.ingress.kubernetes.io/certificate-arn": edge.certificateArn,
                "alb.ingress.kubernetes.io/wafv2-acl-arn": edge.webAclArn,
            } : {}),
            "alb.ingress.kubernetes.io/scheme": "internet-facing",
            "alb.ingress.kubernetes.io/target-type": "ip",
            "alb.ingress.kubernetes.io/group.name": `saleor-${stack}`,
            "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
            "alb.ingress.kubernetes.io/ssl-redirect": "443",
            "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        },
    } : {
        className: cfg.cluster.ingressClassName,
        // The user's nginx front end accepts uploads up to 100 MB; keep the same limit.
        annotations: { "nginx.ingress.kubernetes.io/proxy-body-size": "100m" },
    };

    const registry = images?.registry;
    const push = registry ? { registry: registry.credentials } : {};
    /** A pushed image, referred to in this region's replica of the registry by its digest. */
    const inRegion = (image: ContainerImage, repository: string) => registry && region.name !== images.region
        ? pulumi.interpolate`${registry.urlIn(repository, region.name)}@${image.ref.apply((ref) => ref.split("@")[1])}`
        : image.ref;

    const core = cfg.images.core;
    const coreImage = core.source === "upstream" ? pulumi.output(`${core.repository}:${release}`) : inRegion(builtCore!, core.repositoryName);

    const saleor = new SaleorCore(`${region.name}-core`, {
        namespace: r.cluster.namespace,
        instance,
        image: coreImage,
        dashboardImage: `${cfg.images.dashboard.repository}:${cfg.dashboardVersion}`,
        hosts: { scheme: cfg.app.scheme, api: region.hosts.api, dashboard: region.hosts.dashboard, storefronts: storefrontHosts },
        settings: {
            debug: cfg.app.debug,
            playground: cfg.app.playground,
            telemetry: cfg.app.telemetry,
            defaultFromEmail: cfg.app.defaultFromEmail,
        },
        secrets: {
            secretKey: secrets.secretKey,
            rsaPrivateKey: secrets.rsaPrivateKey,
            emailUrl: cfg.emailUrl ? pulumi.secret(cfg.emailUrl.value) : undefined,
            sentryDsn: cfg.sentryDsn ? pulumi.secret(cfg.sentryDsn.value) : undefined,
        },
        connection,
        workloads: cfg.workloads,
        apiWorkers: cfg.app.apiWorkers,
        workerConcurrency: cfg.app.workerConcurrency,
        runMigrations: isPrimary,
        // Periodic tasks are scheduled once per database: the primary region's beat.
        runScheduler: isPrimary,
        migrationDependency: isPrimary ? undefined : primaryMigration,
        ingress,
        demoData: cfg.features.demoData,
        serviceAccountName: onAws ? coreServiceAccount : undefined,
        extraConfig: observabilityEnv({ otlpEndpoint: cfg.operations.otlpEndpoint, serviceName: `saleor-${instance}` }).config,
    }, k8sOpts);
    // DNS for every host points at the ALB the controller made for the Ingresses.
    edge?.routeHosts(saleor.apiIngress.status.loadBalancer.ingress[0].hostname);

    const sf = cfg.images.storefront;
    const storefrontImage = sf.source === "image"
        ? pulumi.output(`${sf.repository}:${sf.tag}`)
        : inRegion(new ContainerImage(`${region.name}-storefront`, {
            build: {
                context: sf.context,
                // The API URL is inlined into the bundle, so each region gets its own build.
                imageName: registry
                    ? pulumi.interpolate`${registry.repositoryUrls[sf.repositoryName]}:${sf.tag}-${region.name}`
                    : `${sf.repositoryName}:${sf.tag}-${region.name}`,
                args: {
                    NEXT_PUBLIC_SALEOR_API_URL: saleor.graphqlUrl,
                    NEXT_PUBLIC_STOREFRONT_URL: `${cfg.app.scheme}://${storefrontHosts[0]}`,
                    NEXT_PUBLIC_DEFAULT_CHANNEL: sf.defaultChannel,
                },
                // A local cluster loads images from the local daemon (`kind load docker-image`),
                // and the build's GraphQL code generation reaches api.localhost only on the host network.
                skipPush: !registry,
                network: registry ? undefined : "host",
                ...push,
            },
        }, { dependsOn: [saleor.api] }), sf.repositoryName);

    const storefront = new Storefront(`${region.name}-storefront`, {
        namespace: r.cluster.namespace,
        instance,
        image: storefrontImage,
        hosts: storefrontHosts,
        scheme: cfg.app.scheme,
        workload: cfg.workloads.storefront,
        ingress,
    }, k8sOpts);

    if (onAws && cfg.operations.alarms) {
        const { AlertTopic, RegionalAlarms, lookupIngressLoadBalancer } = awsOnly();
        const topic = new AlertTopic(`${region.name}-alerts`, {
            region: region.name,
            subscriptions: {
                email: cfg.operations.alertEmails,
                https: cfg.alertWebhookUrl ? [pulumi.secret(cfg.alertWebhookUrl.value)] : [],
            },
            protect: cfg.environment === "production",
            // Every AWS region has a vault and may hold the backup plan (it follows the primary role).
            backupJobFailures: true,
            tags,
        }, { providers: [r.awsProvider!] });
        const data = r.data!.aws!;
        const pg = cfg.data.aws!.postgres;
        const instanceFacts = (i: aws.rds.Instance) => ({ identifier: i.identifier, instanceClass: pg.instanceClass, allocatedStorageGiB: pg.allocatedStorageGiB });
        new RegionalAlarms(`${region.name}-alarms`, {
            region: region.name,
            topicArn: topic.topicArn,
            loadBalancer: lookupIngressLoadBalancer(`saleor-${stack}`, [saleor, storefront], { clusterName: r.cluster.clusterName, provider: r.awsProvider }),
            database: {
                writer: data.writer ? instanceFacts(data.writer) : undefined,
                replicas: [
                    ...(data.reader ? [{ ...instanceFacts(data.reader), crossRegion: false }] : []),
                    ...(data.standby ? [{ ...instanceFacts(data.standby), crossRegion: true }] : []),
                ],
            },
            cache: { replicationGroupId: data.cache.replicationGroupId, nodes: cfg.data.aws!.cache.nodes },
            clusterName: r.cluster.clusterName!,
            tags,
        }, { providers: [r.awsProvider!] });
    }

    new AppNetworkPolicies(`${region.name}-network`, {
        namespace: r.cluster.namespace,
        instance,
        // An ALB in IP mode connects from its nodes inside the VPC; nginx from its own namespace.
        ingressSources: onAws
            ? [{ ipBlock: { cidr: region.vpcCidr! } }]
            : [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": cfg.cluster.existing!.ingressControllerNamespace } } }],
        inClusterDataStores: cfg.data.flavour === "in-cluster",
    }, k8sOpts);

    const outputs: RegionOutputs = {
        role: region.role,
        release,
        endpoints: {
            api: saleor.apiUrl,
            graphql: saleor.graphqlUrl,
            health: pulumi.interpolate`${saleor.apiUrl}health/`,
            dashboard: saleor.dashboardUrl,
            storefronts: storefront.urls,
        },
        namespace: r.cluster.namespace,
        clusterFlavour: r.cluster.flavour,
        dataFlavour: r.data!.flavour,
        clusterName: r.cluster.clusterName,
    };
    return { outputs, migrationJob: saleor.migrationJob };
}

export = main;
