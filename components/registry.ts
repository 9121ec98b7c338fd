import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { creationTemplatePrefix, defaultKeptReleases, lifecyclePolicy, stackRepositoryName } from "../catalog/ecr";

/**
 * ECR repositories in the stack's home region (the first listed); the AWS provider comes from
 * `opts.providers`. Replication to the other regions is the account's, not the stack's: ECR holds
 * one replication configuration per account and region (PutReplicationConfiguration replaces the
 * whole of it), so the bootstrap program (bootstrap/) declares one rule per stack prefix, and the
 * repository creation templates that give the replicas the same settings.
 */
export interface ImageRegistryArgs {
    /** Repository names within the stack, e.g. "saleor-core". */
    readonly repositories: string[];
    /**
     * The stack's namespace in the account's registry, e.g. "staging": repositories are named
     * `<namespace>/<name>`, so two stacks in one account never share one, and the bootstrap's
     * replication rule and creation template for the prefix `<namespace>/` cover exactly this stack's.
     */
    readonly namespace: string;
    /** Protect the repositories from deletion and replacement (production). */
    readonly protect: boolean;
    /** Tagged images kept per repository, newest first. Default: 50. Keep it above the releases you may roll back to. */
    readonly keepReleases?: number;
    readonly tags?: Record<string, string>;
    /**
     * The regions the account bootstrap replicates this namespace's images to, each with its
     * provider. ECR replicates only images pushed after the replication rule exists, so the
     * repository URLs (what images are pushed to) wait until the bootstrap's repository creation
     * template for the namespace, applied to REPLICATION, is found in every one of them; without it
     * the preview fails before anything is pushed. Default: none (a single-region stack).
     */
    readonly replicatedTo?: Record<string, aws.Provider>;
}

/** What `docker push` needs (the shape of ContainerImage's `registry`). */
export interface RegistryCredentials {
    readonly server: pulumi.Output<string>;
    readonly username: pulumi.Output<string>;
    /** A 12-hour ECR token, secret. */
    readonly password: pulumi.Output<string>;
}

/**
 * The stack's private image registry: immutable, scanned, encrypted ECR repositories under the
 * stack's namespace, with a lifecycle that keeps the recent releases.
 */
export class ImageRegistry extends pulumi.ComponentResource {
    public readonly repositories: Record<string, aws.ecr.Repository>;
    /** Repository URL per name, in the registry's own region. */
    public readonly repositoryUrls: Record<string, pulumi.Output<string>>;
    public readonly credentials: RegistryCredentials;

    constructor(name: string, args: ImageRegistryArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:ImageRegistry", name, {}, opts);
        if (args.repositories.length === 0) {
            throw new Error(`ImageRegistry ${name}: give at least one repository`);
        }
        const keepReleases = args.keepReleases ?? defaultKeptReleases;

        this.repositories = {};
        this.repositoryUrls = {};
        for (const repositoryName of args.repositories) {
            const logical = `${name}-${repositoryName.replace(/[^a-z0-9-]/g, "-")}`;
            const repository = new aws.ecr.Repository(
                logical,
                {
                    name: stackRepositoryName(args.namespace, repositoryName),
                    // A released tag always names the same image: rollbacks and the other regions get exactly what was tested.
                    imageTagMutability: "IMMUTABLE",
                    // Basic scanning on push, as the bootstrap's registry scanning configuration also sets
                    // for every repository (bootstrap/ecr.ts). The deploy driver reads these findings of
                    // the storefront image as built and refuses a release on CRITICAL or HIGH ones
                    // (automation/deploy/image-scan.ts); it also reads Inspector's, should the registry
                    // move to enhanced scanning.
                    imageScanningConfiguration: { scanOnPush: true },
                    // The AWS-managed ECR key: replicated repositories are created encrypted the same way without
                    // a key to share across regions.
                    encryptionConfigurations: [{ encryptionType: "KMS" }],
                    forceDelete: false,
                    tags: args.tags,
                },
                { parent: this, protect: args.protect },
            );
            new aws.ecr.LifecyclePolicy(logical, { repository: repository.name, policy: lifecyclePolicy(keepReleases) }, { parent: this });
            this.repositories[repositoryName] = repository;
        }
        const replicationReady = replicationTemplates(args.namespace, args.replicatedTo ?? {}, this);
        for (const [repositoryName, repository] of Object.entries(this.repositories)) {
            this.repositoryUrls[repositoryName] = pulumi.all([repository.repositoryUrl, ...replicationReady]).apply(([url]) => url);
        }

        const token = aws.ecr.getAuthorizationTokenOutput({}, { parent: this });
        this.credentials = {
            server: token.proxyEndpoint,
            username: token.userName,
            password: pulumi.secret(token.password),
        };

        this.registerOutputs({ repositoryUrls: this.repositoryUrls });
    }

    /**
     * The URL of repository `name` in `region`: the registry's own region or one the account
     * replicates it to (ECR replicates under the same account and repository name).
     */
    urlIn(name: string, region: string): pulumi.Output<string> {
        const repository = this.repositories[name];
        if (!repository) {
            throw new Error(`ImageRegistry: no repository "${name}" (repositories: ${Object.keys(this.repositories).join(", ")})`);
        }
        return pulumi.interpolate`${repository.registryId}.dkr.ecr.${region}.amazonaws.com/${repository.name}`;
    }
}

/**
 * The bootstrap's creation template for `namespace` in each replica region, read back: one Output
 * per region that resolves once the template is found applied to REPLICATION, and fails naming the
 * region and the bootstrap otherwise. The bootstrap creates its replication rule only after these
 * templates (bootstrap/ecr.ts), and a rule itself cannot be read back: the provider has no data
 * source for an ECR replication configuration (@pulumi/aws 7.48 ecr/ has none), so a template is
 * the nearest proof that the bootstrap ran for this namespace. A template the data source cannot
 * find fails with the provider's own "not found" error (data source aws_ecr_repository_creation_template).
 */
function replicationTemplates(
    namespace: string,
    replicatedTo: Record<string, aws.Provider>,
    parent: pulumi.Resource,
): pulumi.Output<string>[] {
    const prefix = creationTemplatePrefix(namespace);
    return Object.entries(replicatedTo).map(([region, provider]) =>
        aws.ecr.getRepositoryCreationTemplateOutput({ prefix }, { parent, provider }).apply((template) => {
            if (!template.appliedFors?.includes("REPLICATION")) {
                throw new Error(
                    `${region} has no repository creation template for "${prefix}" applied to REPLICATION: run the account bootstrap (bootstrap/) before this stack, ` +
                        "so that the images this stack pushes are replicated there (docs/first-deployment.md)",
                );
            }
            return template.prefix;
        }),
    );
}
