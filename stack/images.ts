import * as pulumi from "@pulumi/pulumi";
import { ContainerImage } from "../components/image";
import type { ImageRegistry } from "../components/registry";
import { marketsOf, type RegionConfig, type StackConfig } from "../config";
import * as fs from "fs";
import * as path from "path";
import { argumentsTag, checkedOutCommit, contentTag } from "./content-tag";
import { required, type Topology } from "./topology";

/**
 * Every image the stack runs: Core by release (built once per release, or the upstream image),
 * the Dashboard, and the storefront (built once, with the stack's one public API URL baked in, or a
 * published image). Built images are pushed to the home region's registry and referred to in each
 * region's replica by digest.
 */
export class ImageCatalogue {
    /** Built Core images by Saleor version: one build per version, whatever release labels run it. */
    private readonly coreBuilds = new Map<string, ContainerImage>();
    /** The storefront build, registered the first time a region asks for it. */
    private storefrontBuild?: ContainerImage;

    constructor(
        private readonly cfg: StackConfig,
        private readonly t: Topology,
        private readonly registry?: ImageRegistry,
    ) {}

    /**
     * The built Core image `region` runs, registered the first time any region asks for its Saleor
     * version; undefined for upstream images. The version is config's `saleorVersions`: a release
     * that is a Saleor version (X.Y.Z) builds that version; a git SHA builds the region's pinned
     * `regionSaleorVersions` entry, else saleorVersion. A pinned region so keeps its image when
     * saleorVersion moves on.
     */
    coreBuild(region: RegionConfig): ContainerImage | undefined {
        const core = this.cfg.images.core;
        if (core.source !== "build") return undefined;
        const version = this.cfg.saleorVersions[region.name];
        const registry = this.registry;
        let image = this.coreBuilds.get(version);
        if (!image) {
            const args = { SALEOR_VERSION: version };
            // Tagged by content: the Saleor version, then a digest of images/core and the build arguments.
            const tag = contentTag({ context: core.context, dockerfile: core.dockerfile, args, prefix: version });
            image = new ContainerImage(`core-${version}`, {
                build: {
                    context: core.context,
                    dockerfile: core.dockerfile,
                    // The thin image adds a non-root USER to the pinned upstream version.
                    args,
                    imageName: registry
                        ? pulumi.interpolate`${registry.repositoryUrls[core.repositoryName]}:${tag}`
                        : pulumi.interpolate`${core.repositoryName}:${tag}`,
                    skipPush: !registry,
                    ...(registry ? { registry: registry.credentials } : {}),
                },
            });
            this.coreBuilds.set(version, image);
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
     * The storefront image `region` runs. A build inlines the API URL into the bundle; the stack has one
     * public API URL, so it is built once, by the first region that asks (the primary), after that
     * region's API hosts serve (`apiServing`): the build's GraphQL codegen (package.json `prebuild`,
     * .graphqlrc.ts) and its prerendered pages call it. Every region runs it from its registry replica.
     */
    storefront(region: RegionConfig, graphqlUrl: pulumi.Output<string>, apiServing: pulumi.Resource[]): pulumi.Output<string> {
        const sf = this.cfg.images.storefront;
        if (sf.source === "image") return pulumi.output(`${sf.repository}:${sf.tag}`);
        this.storefrontBuild ??= this.buildStorefront(sf, graphqlUrl, apiServing);
        return this.inRegion(this.storefrontBuild, sf.repositoryName, region);
    }

    private buildStorefront(
        sf: Extract<StackConfig["images"]["storefront"], { source: "build" }>,
        graphqlUrl: pulumi.Output<string>,
        apiServing: pulumi.Resource[],
    ): ContainerImage {
        const registry = this.registry;
        const home = this.t.home;
        // Built for the home region's primary market (config names it): its host is the storefront's own
        // URL (canonical links, the redirect allow-list) and its channel the one `/` opens. The other
        // markets' hosts are allowed at run time (ALLOWED_EXTRA_ORIGINS, components/storefront.ts). The
        // home region is the first listed, which a failover does not change, so neither does the image.
        const [primary] = marketsOf(this.cfg, home);
        const args: Record<string, pulumi.Input<string>> = {
            NEXT_PUBLIC_SALEOR_API_URL: graphqlUrl,
            NEXT_PUBLIC_STOREFRONT_URL: `${this.cfg.app.scheme}://${primary.host}`,
            NEXT_PUBLIC_DEFAULT_CHANNEL: primary.channel ?? sf.defaultChannel,
            // The checkout's Stripe switch in the browser bundle (the Dockerfile's ARG, also copied to the
            // runtime's ENABLE_STRIPE_PAYMENTS); its default is false, so it is passed only to turn it on.
            ...(this.cfg.storefront.payments.stripe ? { NEXT_PUBLIC_ENABLE_STRIPE_PAYMENTS: "true" } : {}),
            // The checkout's Dummy Payment switch in the browser bundle (payment-gateway-alerts.tsx is a client
            // component; the runtime ALLOW_DUMMY_PAYMENT only reaches the server). saleor/storefront's own
            // Dockerfile (at 60fea090) declares no ARG for it; images/storefront/Dockerfile does.
            ...(this.cfg.storefront.payments.dummy ? { NEXT_PUBLIC_ALLOW_DUMMY_PAYMENT: "true" } : {}),
        };
        // Tagged by what it holds: the storefront commit it is built from (images.storefront.tag, which
        // the deploy checks out), the home region it is built and pushed in, and a digest of the
        // arguments inlined into the bundle.
        // A local build (dev) stays in the local daemon, where a label such as "dev" may be reused.
        const checkedOut = registry ? checkedOutCommit(path.resolve(sf.context)) : undefined;
        if (checkedOut !== undefined && !checkedOut.startsWith(sf.tag)) {
            throw new Error(
                `images.storefront.tag is ${sf.tag}, but ${sf.context} has ${checkedOut} checked out; check out the tagged commit`,
            );
        }
        if (!fs.existsSync(sf.dockerfile)) {
            throw new Error(`images.storefront.dockerfile is ${sf.dockerfile}, which does not exist (paths are relative to the project)`);
        }
        // Our Dockerfile is not part of the storefront's commit, so its content is part of the tag too.
        const tag = argumentsTag(`${sf.tag}-${home.name}`, args, sf.dockerfile);
        return new ContainerImage(
            `${home.name}-storefront`,
            {
                build: {
                    context: sf.context,
                    // Outside the context: the Docker provider adds it to the context it sends
                    // (pulumi-docker provider/image.go, "add dockerfile to tarball if it's not in the build context").
                    dockerfile: sf.dockerfile,
                    // The API URL is inlined into the bundle: the stack's one public API URL.
                    imageName: registry
                        ? pulumi.interpolate`${registry.repositoryUrls[sf.repositoryName]}:${tag}`
                        : pulumi.interpolate`${sf.repositoryName}:${tag}`,
                    args,
                    // A local cluster loads images from the local daemon (`kind load docker-image`),
                    // and the build's GraphQL code generation reaches api.localhost only on the host network.
                    skipPush: !registry,
                    network: registry ? undefined : "host",
                    ...(registry ? { registry: registry.credentials } : {}),
                },
            },
            { dependsOn: apiServing },
        );
    }

    /** A pushed image, referred to in `region`'s replica of the registry by its digest. */
    private inRegion(image: ContainerImage, repository: string, region: RegionConfig): pulumi.Output<string> {
        const registry = this.registry;
        return registry && region.name !== this.t.home.name
            ? pulumi.interpolate`${registry.urlIn(repository, region.name)}@${image.ref.apply((ref) => ref.split("@")[1])}`
            : image.ref;
    }
}
