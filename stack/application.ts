import * as pulumi from "@pulumi/pulumi";
import { coreRunAs, SaleorCore } from "../components/core";
import type { ConnectionFacts } from "../components/data";
import type { RegionalEdge } from "../components/edge";
import { AppNetworkPolicies, type AppNetworkPoliciesArgs } from "../components/network-policies";
import { defaultAvailabilityZoneCount } from "../catalog/ec2";
import { planSubnets } from "../catalog/ipv4";
import { observabilityEnv } from "../components/observability/env";
import { defaultThresholds } from "../components/observability/thresholds";
import type { SaleorSecrets } from "../components/secrets";
import type { SecretsManagerSecrets } from "../components/secrets/secrets-manager";
import { Storefront } from "../components/storefront";
import type { CanaryDelivery } from "../components/kubernetes/workload";
import { argoRolloutsChart } from "../catalog/charts";
import { marketsOf, senderDomain, sesAvailable, type Market, type StackConfig } from "../config";
import { createRegionAlarms } from "./alarms";
import { createAppSyncedSecrets, createDatabaseRoleSecret, createRegionSecrets } from "./secrets";
import { awsOnly } from "./aws";
import type { RegionWithData } from "./data";
import type { ImageCatalogue } from "./images";
import { albGroupName, ingressSettings } from "./ingress";
import type { RegionOutputs } from "./outputs";
import type { PoolerFacts } from "./pooler";
import type { StackServices } from "./services";
import { coreServiceAccount, instanceOf, required, type Topology } from "./topology";

/** What the application of one region needs from the rest of the stack. */
export interface ApplicationInputs {
    readonly region: RegionWithData;
    /** The data tier's connection facts, with the media CDN's domain where there is one. */
    readonly connection: ConnectionFacts;
    /** The region's connection pooler, when its Core writes through one (stack/pooler.ts). */
    readonly pooler?: PoolerFacts;
    readonly secrets: SaleorSecrets;
    /** The stack-wide secrets in Secrets Manager (AWS): the region's Core reads them through External Secrets. */
    readonly stackSecrets?: SecretsManagerSecrets;
    readonly images: ImageCatalogue;
    /** The primary's migration Job, which a secondary's workloads wait for. */
    readonly primaryMigration?: pulumi.Resource;
    /** Where the region's Route 53 health check alarm goes (us-east-1); none without alarms. */
    readonly healthAlerts?: StackServices["healthAlerts"];
}

/** The region's outputs and its migration Job (the primary's). */
export interface RegionApplication {
    readonly outputs: RegionOutputs<pulumi.Output<string>, pulumi.Output<string[]>>;
    readonly migrationJob?: pulumi.Resource;
}

/**
 * Saleor in one region: the region's certificate, WAF and DNS (AWS edge), Core (migration, API,
 * worker, beat, Dashboard), the storefront, the region's alarms and the network policies.
 *
 * Every region serves the whole shop: the stack's one public API host (operations.apiHost, else the
 * region's own) and every market's host, so Route 53 can send any of them to either region. The
 * region's own hosts (its API host, its Dashboard) stay for operators and its health check.
 */
export function createApplication(cfg: StackConfig, t: Topology, inputs: ApplicationInputs): RegionApplication {
    const r = inputs.region;
    const region = r.config;
    const instance = instanceOf(t, region);
    const release = cfg.releases[region.name];
    // The markets whose home this region is (its outputs, PRIMARY records), and every market it serves.
    const homeMarkets = marketsOf(cfg, region);
    const markets = stackMarkets(cfg, t);
    const storefrontHosts = markets.map((m) => m.host);
    const apiHost = cfg.operations.apiHost ?? region.hosts.api;
    const k8sOpts: pulumi.ComponentResourceOptions = { providers: [r.cluster.provider] };
    const isPrimary = region.role === "primary";
    const onAws = r.aws !== undefined;
    // Registered first: a release's Core build exists before any region that runs it.
    const coreBuild = inputs.images.coreBuild(region);
    const coreImage = inputs.images.core(region, coreBuild);
    // The API, the storefront and the Dashboard are released as canaries by the cluster's Argo
    // Rollouts, and each release waits for them through a gate Job run by the Core image (its Python).
    // On AWS the ALB splits the traffic and each canary is judged on the ALB by the alarms' signals and
    // thresholds; elsewhere ingress-nginx splits it and the controller calls each canary's health path.
    const canary: CanaryDelivery = {
        dependsOn: [r.cluster.argoRollouts],
        gate: { image: coreImage, runAs: coreRunAs },
        trafficRouter: onAws ? "alb" : "nginx",
        analysis: onAws
            ? {
                  kind: "cloudwatch",
                  loadBalancerArnSuffix: (ingresses: pulumi.Resource[]) =>
                      awsOnly().lookupIngressLoadBalancer(albGroupName(t), ingresses, {
                          clusterName: r.cluster.clusterName,
                          provider: r.aws!.provider,
                      }).arnSuffix,
                  thresholds: defaultThresholds,
              }
            : { kind: "web" },
    };

    const edge = createEdge(cfg, t, r, apiHost, homeMarkets, markets, inputs.healthAlerts);
    const mail = createMail(cfg, t, r);
    const ingress = ingressSettings(cfg, t, onAws, edge, r.aws?.logs.albAccessLogs);
    // saleor:emailUrl is stack-wide (createStackSecrets); this region's SES mail is the region's own.
    const regionSecrets = createRegionSecrets(t, r, inputs.connection, cfg.emailUrl ? undefined : mail?.emailUrl);
    const synced = createAppSyncedSecrets(r, instance, inputs.stackSecrets, regionSecrets);
    const syncedSecret = synced?.core;
    const storefrontSecret = synced?.storefront;
    // The master credentials for the Job that creates Core's database role (the writer's region).
    const databaseRole = isPrimary ? createDatabaseRoleSecret(r, instance, inputs.stackSecrets) : undefined;
    // A snapshot of the writer before the primary migrates it (on AWS); the Job waits for it.
    const writer = isPrimary ? r.data.aws?.writer : undefined;
    const snapshots = writer
        ? awsOnly().createReleaseSnapshots(
              `${region.name}-data`,
              { writer, stack: t.stack, region: region.name, release, previousRelease: cfg.previousRelease, tags: t.tags },
              { parent: r.data },
          )
        : undefined;

    const saleor = new SaleorCore(
        `${region.name}-core`,
        {
            namespace: r.cluster.namespace,
            instance,
            image: coreImage,
            dashboardImage: inputs.images.dashboard(),
            hosts: {
                scheme: cfg.app.scheme,
                api: apiHost,
                regionalApi: apiHost === region.hosts.api ? undefined : region.hosts.api,
                dashboard: region.hosts.dashboard,
                // Every Dashboard calls the stack's API host, which either region may answer.
                otherDashboards:
                    apiHost === region.hosts.api ? [] : cfg.regions.filter((x) => x.name !== region.name).map((x) => x.hosts.dashboard),
                storefronts: storefrontHosts,
            },
            settings: {
                debug: cfg.app.debug,
                playground: cfg.app.playground,
                telemetry: cfg.app.telemetry,
                defaultFromEmail: cfg.app.defaultFromEmail,
                allowedGraphqlOrigins: cfg.app.allowedGraphqlOrigins,
            },
            secrets: {
                secretKey: inputs.secrets.secretKey,
                rsaPrivateKey: inputs.secrets.rsaPrivateKey,
                // saleor:emailUrl overrides; on AWS this region's SES otherwise; in dev the mail catcher.
                emailUrl: cfg.emailUrl ? pulumi.secret(cfg.emailUrl.value) : mail?.emailUrl,
                sentryDsn: cfg.sentryDsn ? pulumi.secret(cfg.sentryDsn.value) : undefined,
            },
            // On AWS Core reads them from Secrets Manager through External Secrets instead.
            syncedSecret: syncedSecret && { name: syncedSecret.secretName, version: syncedSecret.version },
            connection: inputs.connection,
            workloads: cfg.workloads,
            apiWorkers: cfg.app.apiWorkers,
            workerConcurrency: cfg.app.workerConcurrency,
            runMigrations: isPrimary,
            beforeMigration: snapshots ? [snapshots.current] : undefined,
            databaseRole,
            // Periodic tasks are scheduled once per database: the primary region's beat.
            runScheduler: isPrimary,
            migrationDependency: isPrimary ? undefined : inputs.primaryMigration,
            ingress,
            demoData: cfg.features.demoData,
            serviceAccountName: onAws ? coreServiceAccount : undefined,
            extraConfig: observabilityEnv({ otlpEndpoint: cfg.operations.otlpEndpoint, serviceName: `saleor-${instance}` }).config,
            canary,
        },
        k8sOpts,
    );
    // DNS for every host points at the ALB the controller made for the Ingresses.
    edge?.routeHosts(saleor.apiIngress.status.loadBalancer.ingress[0].hostname);

    const storefront = new Storefront(
        `${region.name}-storefront`,
        {
            namespace: r.cluster.namespace,
            instance,
            // The build calls the public API URL (codegen against NEXT_PUBLIC_SALEOR_API_URL, which the
            // storefront also inlines for the browser, so it cannot be the in-cluster one): it waits for
            // the API's pods, its Ingress (the ALB or nginx route) and, on AWS, the issued certificate
            // and the API host's DNS record. Without these a first deployment raced DNS and failed.
            image: inputs.images.storefront(region, saleor.graphqlUrl, [saleor.api, saleor.apiIngress, ...(edge?.apiServing ?? [])]),
            hosts: storefrontHosts,
            scheme: cfg.app.scheme,
            workload: cfg.workloads.storefront,
            ingress,
            channels: storefrontChannels(cfg, markets),
            rootPaths: marketRootPaths(cfg, markets),
            allowedOrigins: storefrontHosts.map((h) => `${cfg.app.scheme}://${h}`),
            payments: cfg.storefront.payments,
            secrets: storefrontSecret
                ? { synced: { name: storefrontSecret.secretName, version: storefrontSecret.version } }
                : {
                      values: {
                          STOREFRONT_CACHE_URL: inputs.connection.pageCacheUrl,
                          SALEOR_WEBHOOK_SECRET: inputs.secrets.storefront.webhookSecret,
                          REVALIDATE_SECRET: inputs.secrets.storefront.revalidateSecret,
                      },
                  },
            // ElastiCache refuses CONFIG; its parameter group publishes the events (components/data/aws/cache.ts).
            cacheServerRefusesConfig: onAws,
            // The server-side calls use the public API URL too (no server-only URL in the storefront). Over
            // plain HTTP (dev) its host is pinned to the API Service inside the pod: http://api.localhost/
            // is the pod's own loopback otherwise. The Service answers the same port (80) and path, and
            // ALLOWED_HOSTS admits the public host. Over HTTPS the call goes out through the ALB.
            hostAlias: cfg.app.scheme === "http" ? { host: apiHost, ip: saleor.apiClusterIp } : undefined,
            canary,
        },
        k8sOpts,
    );

    const scheme = cfg.app.scheme;
    const regionalApiUrl = `${scheme}://${region.hosts.api}/`;
    if (r.aws && cfg.operations.alarms) {
        createRegionAlarms(cfg, t, r, r.aws, [saleor, storefront]);
    }

    new AppNetworkPolicies(
        `${region.name}-network`,
        {
            namespace: r.cluster.namespace,
            instance,
            ...networkPolicySources(cfg, r, mail !== undefined),
            databaseRoleJob: databaseRole !== undefined,
            pooler: inputs.pooler,
        },
        k8sOpts,
    );

    return {
        outputs: {
            role: region.role,
            release,
            saleorVersion: cfg.saleorVersions[region.name],
            // The region's own hosts, so the deploy's checks judge this region, not whichever one
            // Route 53 picks for the shared names.
            endpoints: {
                api: pulumi.output(regionalApiUrl),
                graphql: pulumi.output(`${regionalApiUrl}graphql/`),
                health: pulumi.output(`${regionalApiUrl}health/`),
                dashboard: saleor.dashboardUrl,
                storefronts: pulumi.output(homeMarkets.map((m) => `${scheme}://${m.host}/`)),
            },
            namespace: r.cluster.namespace,
            clusterFlavour: r.cluster.flavour,
            dataFlavour: r.data.flavour,
            clusterName: r.cluster.clusterName,
        },
        migrationJob: saleor.migrationJob,
    };
}

/**
 * Where the region's NetworkPolicies admit traffic from and to. On AWS: ingress from the region's
 * public subnets, where the internet-facing ALB's interfaces live (IP targets: the ALB connects to
 * the pod from its own address), never the whole VPC, which holds every pod; the managed data
 * stores in the private subnets of every region's VPC (a secondary writes to the primary's writer
 * across the peering); the Pod Identity agent; mail and the internet on 443 outside the stack's
 * VPCs. Elsewhere: the ingress controller's namespace, and the in-cluster data stores by pod.
 *
 * The subnet ranges are the ones the cluster's network is cut into (catalog/ipv4 planSubnets over
 * the default zone count, as RegionalCluster does; tests/stacks/network-isolation.spec.ts checks
 * they match the plan's subnets).
 */
function networkPolicySources(
    cfg: StackConfig,
    r: RegionWithData,
    sesMail: boolean,
): Pick<AppNetworkPoliciesArgs, "ingressSources" | "canaryAnalysisSources" | "egress" | "inClusterDataStores"> {
    const cluster = cfg.cluster;
    const coreInternetPorts = [...mailPorts(cfg, sesMail), ...otlpPorts(cfg)];
    const inClusterDataStores = cfg.data.flavour === "in-cluster";
    if (cluster.flavour === "existing") {
        return {
            ingressSources: [
                { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": cluster.existing.ingressControllerNamespace } } },
            ],
            // The canaries' web analyses: the Argo Rollouts controller (its namespace holds nothing else,
            // components/cluster/argo-rollouts.ts) calls each canary Service's health path.
            canaryAnalysisSources: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": argoRolloutsChart.namespace } } }],
            // The API server of a cluster the program did not make: its address is not known here, so
            // any address but the node metadata one, on the `kubernetes` Service's port (443) and the
            // port kubeadm and kind serve the API on behind it (6443), which a policy may see after the
            // Service's address translation. Not verified per CNI here.
            // Every region: its canaries' gate Jobs read their Rollouts (the migration pods only run where it migrates).
            egress: { coreInternetPorts, kubernetesApi: { cidrs: ["0.0.0.0/0"], ports: [443, 6443] } },
            inClusterDataStores,
        };
    }
    const own = required(r.aws, `the AWS foundations of region ${r.config.name}`).vpcCidr;
    const vpcs = cfg.regions.map((x) => required(x.vpcCidr, `regions.${x.name}.vpcCidr`));
    return {
        ingressSources: planSubnets(own, defaultAvailabilityZoneCount).public.map((cidr) => ({ ipBlock: { cidr } })),
        egress: {
            dataStoreCidrs: vpcs.flatMap((vpc) => planSubnets(vpc, defaultAvailabilityZoneCount).private),
            pageCacheCidrs: planSubnets(own, defaultAvailabilityZoneCount).private,
            privateCidrs: vpcs,
            podIdentityAgent: true,
            coreInternetPorts,
            // EKS puts the control plane's network interfaces for the private endpoint into the
            // cluster's subnets (RegionalCluster: the region's private subnets) and the `kubernetes`
            // Service's endpoints are those addresses, on 443 (Amazon EKS User Guide, "Cluster API
            // server endpoint" and "VPC and subnet requirements"; not verified on a cluster here).
            // Every region: its canaries' gate Jobs read their Rollouts (the migration pods only run where it migrates).
            kubernetesApi: { cidrs: planSubnets(own, defaultAvailabilityZoneCount).private, ports: [443] },
        },
        inClusterDataStores,
    };
}

/** The SMTP ports a mail server listens on (plain, implicit TLS, submission): for a URL that names none. */
const smtpPorts = [25, 465, 587];

/**
 * The SMTP port Core sends mail to: saleor:emailUrl's own port (else the usual SMTP ports: the
 * defaults of Saleor's URL parser are not verified here), SES's submission port 587 (the URL SesMail
 * builds), or none (the in-cluster mail catcher, reached by pod).
 */
function mailPorts(cfg: StackConfig, sesMail: boolean): number[] {
    if (cfg.emailUrl) {
        const port = URL.canParse(cfg.emailUrl.value) ? new URL(cfg.emailUrl.value).port : "";
        return port ? [Number(port)] : smtpPorts;
    }
    return sesMail ? [587] : [];
}

/** The port of the OTLP collector Core exports to, when one is configured. */
function otlpPorts(cfg: StackConfig): number[] {
    const endpoint = cfg.operations.otlpEndpoint;
    if (!endpoint) return [];
    const url = new URL(endpoint);
    return [url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80];
}

/**
 * Every market of the stack, the home region's first (its primary market, which the storefront image
 * is built for, leading), then the other regions' in the order listed. A failover does not change it.
 */
function stackMarkets(cfg: StackConfig, t: Topology): Market[] {
    const ordered = [t.home, ...cfg.regions.filter((r) => r.name !== t.home.name)];
    return ordered.flatMap((r) => marketsOf(cfg, r));
}

/**
 * STOREFRONT_CHANNELS: each market's channel (the image's primary market's first), when any market
 * names one in storefront.channels; unset otherwise, so the storefront keeps its own default.
 */
function storefrontChannels(cfg: StackConfig, markets: Market[]): string | undefined {
    if (!markets.some((m) => m.channel)) return undefined;
    const sf = cfg.images.storefront;
    const fallback = sf.source === "build" ? sf.defaultChannel : undefined;
    const slugs = markets.map((m) => m.channel ?? fallback).filter((c): c is string => c !== undefined);
    return [...new Set(slugs)].join(",");
}

/**
 * The markets whose host must open another channel than the one the image opens at `/` (the primary
 * market's, NEXT_PUBLIC_DEFAULT_CHANNEL, inlined at build time): `/<channel>` by host.
 */
function marketRootPaths(cfg: StackConfig, markets: Market[]): Record<string, string> {
    const sf = cfg.images.storefront;
    const [primary, ...others] = markets;
    const opened = primary.channel ?? (sf.source === "build" ? sf.defaultChannel : undefined);
    return Object.fromEntries(others.filter((m) => m.channel && m.channel !== opened).map((m) => [m.host, `/${m.channel}`]));
}

/**
 * Amazon SES in this region as Core's mail server (staff invitations, password resets, order
 * mail), unless saleor:emailUrl names another. Per region, like everything a region needs to serve:
 * each region's Core sends through its own region's SES endpoint, so a region lost takes none of
 * the other's mail with it.
 */
function createMail(cfg: StackConfig, t: Topology, r: RegionWithData) {
    if (!r.aws || cfg.emailUrl || !sesAvailable(cfg)) return undefined;
    const region = r.config.name;
    return new (awsOnly().SesMail)(
        `${region}-mail`,
        {
            domain: senderDomain(cfg.app.defaultFromEmail),
            zoneName: required(cfg.operations.dnsZone, "operations.dnsZone"),
            region,
            // IAM names are global to the account: the stack and region make it unique.
            userName: `saleor-${t.stack}-${region}-smtp`,
            tags: t.tags,
            permissionsBoundaryArn: r.aws.permissionsBoundaryArn,
        },
        { providers: [r.aws.provider] },
    );
}

/**
 * The region's certificate and WAF, attached to its ALB through the Ingress annotations, and its DNS:
 * the stack's API host as a latency record and every market host as a failover record (PRIMARY in the
 * market's home region), both routed by the health check of the region's own API host.
 */
function createEdge(
    cfg: StackConfig,
    t: Topology,
    r: RegionWithData,
    apiHost: string,
    homeMarkets: Market[],
    markets: Market[],
    healthAlerts: StackServices["healthAlerts"],
): RegionalEdge | undefined {
    const region = r.config;
    if (!r.aws || !cfg.operations.edge) return undefined;
    // With one region there is nothing to fail over to: plain records.
    const multiRegion = cfg.regions.length > 1;
    const home = new Set(homeMarkets.map((m) => m.host));
    return new (awsOnly().RegionalEdge)(
        `${region.name}-edge`,
        {
            region: region.name,
            zoneName: required(cfg.operations.dnsZone, "operations.dnsZone"),
            hosts: [region.hosts.api, region.hosts.dashboard, ...(multiRegion ? [] : markets.map((m) => m.host))],
            apiHost: region.hosts.api,
            latencyHosts: apiHost === region.hosts.api ? [] : [apiHost],
            failoverHosts: multiRegion
                ? Object.fromEntries(markets.map((m) => [m.host, home.has(m.host) ? ("PRIMARY" as const) : ("SECONDARY" as const)]))
                : {},
            healthAlarm: healthAlerts && {
                provider: healthAlerts.provider,
                topicArn: healthAlerts.topicArn,
                alarmName: `saleor-${t.stack}-${region.name}-api-health`,
            },
            // The storefront has no server-only API URL: its server calls NEXT_PUBLIC_SALEOR_API_URL
            // (saleor/storefront src/lib/graphql.ts, src/lib/auth/server.ts), inlined at build time for
            // the browser too, so it cannot be the in-cluster Service. Its requests leave through NAT.
            ownEgressIps: r.cluster.network?.egressPublicIps,
            wafLogDestinationArn: r.aws.logs.wafLogDestinationArn,
            tags: t.tags,
        },
        { providers: [r.aws.provider] },
    );
}
