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
}

export function createServices(cfg: StackConfig, t: Topology, regions: RegionWithData[]): StackServices {
    return { mediaCdn: createMediaCdn(cfg, t, regions), registry: createRegistry(cfg, t, regions) };
}

/**
 * Media is served by CloudFront, which reads the primary's bucket (and with media replication,
 * falls back to the secondary's copy); its WAF, certificate and DNS go through us-east-1.
 */
function createMediaCdn(cfg: StackConfig, t: Topology, regions: RegionWithData[]): MediaCdn | undefined {
    if (!cfg.operations.mediaCdn) return undefined;
    const data = cfg.data;
    return new (awsOnly().MediaCdn)("media-cdn", {
        origins: regions.map((r) => required(r.data.aws?.mediaCdnOrigin, `the media CDN origin of region ${r.config.name}`)),
        failoverToReplica: data.flavour === "aws" && data.aws.media.replicate && regions.length > 1,
        zoneName: required(cfg.operations.dnsZone, "operations.dnsZone"),
        globalProvider: awsProvider("aws-global", "us-east-1", t.tags),
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
