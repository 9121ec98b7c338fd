import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { MediaCdn } from "../components/edge";
import type { ImageRegistry } from "../components/registry";
import type { StackConfig } from "../config";
import { awsOnly, awsProvider } from "./aws";
import type { RegionWithData } from "./data";
import { logRetentionDays } from "./infrastructure";
import { required, type Topology } from "./topology";

/** Services the whole stack shares, built once after every region's data tier. */
export interface StackServices {
    /** CloudFront in front of the media buckets (operations.mediaCdn). */
    readonly mediaCdn?: MediaCdn;
    /** The image registry in the home region, replicated to the others (AWS). */
    readonly registry?: ImageRegistry;
    /**
     * Where the Route 53 health checks' alarms live (operations.edge with operations.alarms): us-east-1,
     * the only region Route 53 publishes their metrics in, with an alert topic of its own there, since an
     * alarm notifies only topics of its own region. Same subscribers as the regions' topics.
     */
    readonly healthAlerts?: { readonly provider: aws.Provider; readonly topicArn: pulumi.Output<string> };
}

export function createServices(cfg: StackConfig, t: Topology, regions: RegionWithData[]): StackServices {
    // One us-east-1 provider for whatever the stack needs there (CloudFront's certificate and WAF, health alarms).
    let global: aws.Provider | undefined;
    const globalProvider = () => (global ??= awsProvider("aws-global", "us-east-1", t.tags));
    return {
        mediaCdn: createMediaCdn(cfg, t, regions, globalProvider),
        registry: createRegistry(cfg, t, regions),
        healthAlerts: createHealthAlerts(cfg, t, globalProvider),
    };
}

/**
 * The topic the health check alarms notify, in us-east-1. Route 53 health check metrics exist only in
 * us-east-1 (Route 53 Developer Guide, "Monitoring health checks using CloudWatch"), a CloudWatch alarm
 * must be in its metric's region, and it may only notify an SNS topic in that same region (PutMetricAlarm
 * refuses another region's topic: "Invalid region ... specified. Only us-east-1 is supported").
 */
function createHealthAlerts(cfg: StackConfig, t: Topology, globalProvider: () => aws.Provider): StackServices["healthAlerts"] {
    if (!cfg.operations.edge || !cfg.operations.alarms) return undefined;
    const provider = globalProvider();
    const topic = new (awsOnly().AlertTopic)(
        "us-east-1-alerts",
        {
            region: "us-east-1",
            subscriptions: {
                email: cfg.operations.alertEmails,
                https: cfg.alertWebhookUrl ? [pulumi.secret(cfg.alertWebhookUrl.value)] : [],
            },
            protect: t.protect,
            tags: t.tags,
        },
        { providers: [provider] },
    );
    return { provider, topicArn: topic.topicArn };
}

/**
 * Media is served by CloudFront, which reads the primary's bucket (and with media replication,
 * falls back to the secondary's copy); its WAF, certificate and DNS go through us-east-1.
 */
function createMediaCdn(
    cfg: StackConfig,
    t: Topology,
    regions: RegionWithData[],
    globalProvider: () => aws.Provider,
): MediaCdn | undefined {
    if (!cfg.operations.mediaCdn) return undefined;
    const data = cfg.data;
    return new (awsOnly().MediaCdn)("media-cdn", {
        origins: regions.map((r) => required(r.data.aws?.mediaCdnOrigin, `the media CDN origin of region ${r.config.name}`)),
        failoverToReplica: data.flavour === "aws" && data.aws.media.replicate && regions.length > 1,
        zoneName: required(cfg.operations.dnsZone, "operations.dnsZone"),
        globalProvider: globalProvider(),
        logs: { expirationDays: logRetentionDays(t), protect: t.protect },
        tags: t.tags,
    });
}

/**
 * Images live in the home region's registry, under the stack's namespace; the account's
 * replication (bootstrap/) copies them to the other regions.
 */
function createRegistry(cfg: StackConfig, t: Topology, regions: RegionWithData[]): ImageRegistry | undefined {
    if (cfg.cluster.flavour !== "aws") return undefined;
    const home = required(regions.find((r) => r.config.name === t.home.name)?.aws, "the home region's AWS foundations");
    return new (awsOnly().ImageRegistry)(
        "images",
        {
            repositories: [
                ...(cfg.images.core.source === "build" ? [cfg.images.core.repositoryName] : []),
                ...(cfg.images.storefront.source === "build" ? [cfg.images.storefront.repositoryName] : []),
            ],
            namespace: t.stack,
            protect: t.protect,
            tags: t.tags,
            replicatedTo: Object.fromEntries(
                regions
                    .filter((r) => r.config.name !== t.home.name)
                    .map((r) => [r.config.name, required(r.aws, `${r.config.name}'s AWS foundations`).provider]),
            ),
        },
        { providers: [home.provider] },
    );
}
