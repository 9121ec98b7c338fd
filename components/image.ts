import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";

/** Where to push a built image. */
export interface RegistryArgs {
    readonly server: pulumi.Input<string>;
    readonly username: pulumi.Input<string>;
    /** Registry password or token; kept secret. */
    readonly password: pulumi.Input<string>;
}

export interface ImageBuildArgs {
    /** Docker build context directory. */
    readonly context: string;
    /** Dockerfile path. Default: `<context>/Dockerfile`. */
    readonly dockerfile?: string;
    /** Build arguments (ARG values). Default: none. */
    readonly args?: Record<string, pulumi.Input<string>>;
    /** Full name to tag and push, `repository:tag`; the tag is a version or git SHA, never `latest`. */
    readonly imageName: pulumi.Input<string>;
    /** Target platform. Default: linux/amd64 (what the node groups run). */
    readonly platform?: string;
    /** Registry credentials for the push. Default: the Docker client's own login. */
    readonly registry?: RegistryArgs;
    /** Network for RUN steps during the build ("host" to reach services on the build host). Default: Docker's default. */
    readonly network?: string;
    /** Build only, do not push (a local cluster that loads images from the local daemon). Default: false. */
    readonly skipPush?: boolean;
}

export interface ContainerImageArgs {
    /** Use a published image as is: `repository:tag`. Exactly one of `ref` or `build`. */
    readonly ref?: pulumi.Input<string>;
    readonly build?: ImageBuildArgs;
}

/**
 * An image reference for a workload: a pinned published image, or one built from a context and
 * pushed. Pushed images are referred to by digest, so a rebuild under the same tag still rolls.
 */
export class ContainerImage extends pulumi.ComponentResource {
    /** What a pod spec should reference. */
    public readonly ref: pulumi.Output<string>;

    constructor(name: string, args: ContainerImageArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:ContainerImage", name, {}, opts);
        if ((args.ref ? 1 : 0) + (args.build ? 1 : 0) !== 1) {
            throw new Error(`ContainerImage ${name}: give exactly one of args.ref or args.build`);
        }
        if (args.build) {
            const b = args.build;
            const image = new docker.Image(
                `${name}-image`,
                {
                    imageName: b.imageName,
                    build: {
                        context: b.context,
                        dockerfile: b.dockerfile,
                        args: b.args,
                        platform: b.platform ?? "linux/amd64",
                        network: b.network,
                    },
                    skipPush: b.skipPush ?? false,
                    registry: b.registry
                        ? {
                              server: b.registry.server,
                              username: b.registry.username,
                              password: pulumi.secret(b.registry.password),
                          }
                        : undefined,
                },
                // The engine does not hold a component's children back for the component's dependsOn: the
                // build itself must carry it, or it starts at once (a storefront build before its API serves).
                { parent: this, dependsOn: opts.dependsOn },
            );
            this.ref = b.skipPush ? image.imageName : image.repoDigest;
        } else {
            this.ref = pulumi.output(args.ref!);
        }
        this.registerOutputs({ ref: this.ref });
    }
}
