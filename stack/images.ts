import * as pulumi from "@pulumi/pulumi";
import { ContainerImage } from "../components/image";
import type { ImageRegistry } from "../components/registry";
import type { RegionConfig, StackConfig } from "../config";
import { required, type Topology } from "./topology";

/**
 * Every image the stack runs: Core by release (built once per release, or the upstream image),
 * the Dashboard, and the storefront per region (built with the region's API URL baked in, or a
 * published image). Built images are pushed to the home region's registry and referred to in each
 * region's replica by digest.
 */
export class ImageCatalogue {
    /** A built Core image is tagged by release in an immutable registry: built once per release. */
    private readonly coreBuilds = new Map<string, ContainerImage>();

    constructor(private readonly cfg: StackConfig, private readonly t: Topology, private readonly registry?: ImageRegistry) {}

    /**
     * The built Core image of `release`, registered the first time any region asks for it (two
     * regions run two releases during a staged rollout); undefined for upstream images.
     */
    coreBuild(release: string): ContainerImage | undefined {
        const core = this.cfg.images.core;
        if (core.source !== "build") return undefined;
        const registry = this.registry;
        let image = this.coreBuilds.get(release);
        if (!image) {
            image = new ContainerImage(`core-${release}`, {
                build: {
                    context: core.context,
                    dockerfile: core.dockerfile,
                    // The thin image adds a non-root USER to the pinned upstream version.
                    args: { SALEOR_VERSION: this.cfg.saleorVersion },
                    imageName: registry ? pulumi.interpolate`${registry.repositoryUrls[core.repositoryName]}:${release}` : `${core.repositoryName}:${release}`,
                    skipPush: !registry,
                    ...(registry ? { registry: registry.credentials } : {}),
                },
            });
            this.coreBuilds.set(release, image);
        }
        return image;
    }

    /** The Core image `region` runs: its release, upstream or as built. */
    core(region: RegionConfig, built: ContainerImage | undefined): pulumi.Output<string> {
        const core = this.cfg.images.core;
        const release = this.cfg.releases[region.name];
        return core.source === "upstream"
            ? pulumi.output(`${core.repository}:${release}`)
            : this.inRegion(required(built, `the Core build of release ${release}`), core.repositoryName, region);
    }

    /** The Dashboard image; its minor version equals Core's (config checks it). */
    dashboard(): string {
        return `${this.cfg.images.dashboard.repository}:${this.cfg.dashboardVersion}`;
    }

    /**
     * The storefront image of `region`. A build inlines the region's API URL into the bundle, so each
     * region gets its own, after the region's API exists (`apiDependency`).
     */
    storefront(region: RegionConfig, graphqlUrl: pulumi.Output<string>, apiDependency: pulumi.Resource): pulumi.Output<string> {
        const sf = this.cfg.images.storefront;
        if (sf.source === "image") return pulumi.output(`${sf.repository}:${sf.tag}`);
        const registry = this.registry;
        const storefrontHosts = Object.values(region.hosts.storefronts);
        const image = new ContainerImage(`${region.name}-storefront`, {
            build: {
                context: sf.context,
                // The API URL is inlined into the bundle, so each region gets its own build.
                imageName: registry
                    ? pulumi.interpolate`${registry.repositoryUrls[sf.repositoryName]}:${sf.tag}-${region.name}`
                    : `${sf.repositoryName}:${sf.tag}-${region.name}`,
                args: {
                    NEXT_PUBLIC_SALEOR_API_URL: graphqlUrl,
                    NEXT_PUBLIC_STOREFRONT_URL: `${this.cfg.app.scheme}://${storefrontHosts[0]}`,
                    NEXT_PUBLIC_DEFAULT_CHANNEL: sf.defaultChannel,
                },
                // A local cluster loads images from the local daemon (`kind load docker-image`),
                // and the build's GraphQL code generation reaches api.localhost only on the host network.
                skipPush: !registry,
                network: registry ? undefined : "host",
                ...(registry ? { registry: registry.credentials } : {}),
            },
        }, { dependsOn: [apiDependency] });
        return this.inRegion(image, sf.repositoryName, region);
    }

    /** A pushed image, referred to in `region`'s replica of the registry by its digest. */
    private inRegion(image: ContainerImage, repository: string, region: RegionConfig): pulumi.Output<string> {
        const registry = this.registry;
        return registry && region.name !== this.t.home.name
            ? pulumi.interpolate`${registry.urlIn(repository, region.name)}@${image.ref.apply((ref) => ref.split("@")[1])}`
            : image.ref;
    }
}
