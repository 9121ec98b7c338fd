import * as pulumi from "@pulumi/pulumi";
import { RegionalCluster } from "./components/cluster";
import { SaleorCore } from "./components/core";
import { DataTier } from "./components/data";
import { ContainerImage } from "./components/image";
import { SaleorSecrets } from "./components/secrets";
import { Storefront } from "./components/storefront";
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
}

/**
 * The program: load the stack's config (failing with every problem before any resource exists),
 * then build each region, primary first, and export its endpoints.
 */
async function main() {
    const cfg = loadStackConfig();
    const stack = pulumi.getStack();
    const secrets = new SaleorSecrets("saleor");

    const ordered = [...cfg.regions].sort((a, b) => (a.role === b.role ? 0 : a.role === "primary" ? -1 : 1));
    const regions: Record<string, RegionOutputs> = {};
    let primaryMigration: pulumi.Resource | undefined;
    for (const region of ordered) {
        const built = buildRegion(cfg, stack, region, secrets, primaryMigration);
        primaryMigration ??= built.migrationJob;
        regions[region.name] = built.outputs;
    }

    return {
        environment: cfg.environment,
        primaryRegion: ordered[0].name,
        saleorVersion: cfg.saleorVersion,
        regions,
    };
}

function buildRegion(cfg: StackConfig, stack: string, region: RegionConfig, secrets: SaleorSecrets, primaryMigration?: pulumi.Resource) {
    const instance = `${stack}-${region.name}`;
    const release = cfg.releases[region.name];
    const storefrontHosts = Object.values(region.hosts.storefronts);

    const cluster = new RegionalCluster(region.name, {
        namespace: cfg.cluster.namespace,
        existing: cfg.cluster.flavour === "existing" ? { ...cfg.cluster.existing } : undefined,
    });
    const k8sOpts: pulumi.ComponentResourceOptions = { providers: [cluster.provider] };

    const inCluster = cfg.data.inCluster!;
    const data = new DataTier(`${region.name}-data`, {
        inCluster: {
            namespace: cluster.namespace,
            instance,
            postgresImage: inCluster.postgresImage,
            valkeyImage: inCluster.valkeyImage,
            databaseStorage: inCluster.databaseStorage,
            mediaStorage: inCluster.mediaStorage,
            storageClassName: inCluster.storageClassName,
            mailCatcherImage: cfg.features.mailCatcher ? inCluster.mailpitImage : undefined,
        },
    }, k8sOpts);

    const coreImage = `${cfg.images.core.source === "upstream" ? cfg.images.core.repository : cfg.images.core.repositoryName}:${release}`;
    const ingress = {
        className: cfg.cluster.ingressClassName,
        // The user's nginx front end accepts uploads up to 100 MB; keep the same limit.
        annotations: { "nginx.ingress.kubernetes.io/proxy-body-size": "100m" },
    };
    const isPrimary = region.role === "primary";
    const core = new SaleorCore(`${region.name}-core`, {
        namespace: cluster.namespace,
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
        connection: data.connection,
        workloads: cfg.workloads,
        apiWorkers: cfg.app.apiWorkers,
        workerConcurrency: cfg.app.workerConcurrency,
        runMigrations: isPrimary,
        migrationDependency: isPrimary ? undefined : primaryMigration,
        ingress,
        demoData: cfg.features.demoData,
    }, k8sOpts);

    const sf = cfg.images.storefront;
    const storefrontImage = new ContainerImage(`${region.name}-storefront`, sf.source === "image"
        ? { ref: `${sf.repository}:${sf.tag}` }
        : {
            build: {
                context: sf.context,
                // The API URL is inlined into the bundle, so each region gets its own build.
                imageName: `${sf.repositoryName}:${sf.tag}-${region.name}`,
                args: {
                    NEXT_PUBLIC_SALEOR_API_URL: core.graphqlUrl,
                    NEXT_PUBLIC_STOREFRONT_URL: `${cfg.app.scheme}://${storefrontHosts[0]}`,
                    NEXT_PUBLIC_DEFAULT_CHANNEL: sf.defaultChannel,
                },
                // A local cluster loads images from the local daemon (`kind load docker-image`), and
                // the build's GraphQL code generation reaches api.localhost only on the host network.
                skipPush: cfg.cluster.flavour === "existing",
                network: cfg.cluster.flavour === "existing" ? "host" : undefined,
            },
        }, { dependsOn: [core.api] });

    const storefront = new Storefront(`${region.name}-storefront`, {
        namespace: cluster.namespace,
        instance,
        image: storefrontImage.ref,
        hosts: storefrontHosts,
        scheme: cfg.app.scheme,
        workload: cfg.workloads.storefront,
        ingress,
    }, k8sOpts);

    const outputs: RegionOutputs = {
        role: region.role,
        release,
        endpoints: {
            api: core.apiUrl,
            graphql: core.graphqlUrl,
            health: pulumi.interpolate`${core.apiUrl}health/`,
            dashboard: core.dashboardUrl,
            storefronts: storefront.urls,
        },
        namespace: cluster.namespace,
        clusterFlavour: cluster.flavour,
        dataFlavour: data.flavour,
    };
    return { outputs, migrationJob: core.migrationJob };
}

export = main;
