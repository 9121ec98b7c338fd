import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { environments, type BootstrapConfig, type Environment } from "./config";
import { createRegistry } from "./ecr";
import { createDeployRole, createGithubOidcProvider, createWorkloadBoundary } from "./github";
import { bootstrapTags, defaultStateBucketName, runnerLabel, secretsProviderUrl, stateUrl } from "./naming";
import { createGithubConnection, createRunnerProject, createRunnerVpc } from "./runner";
import { createSecretsKey } from "./secrets";
import { createStateBucket } from "./state";

/** CloudFront's ACM certificate and CLOUDFRONT-scoped WAF live in us-east-1, so the deploy roles work there too. */
const cloudFrontRegion = "us-east-1";

/** What one environment's deployments need, as the stack outputs hand it to people and workflows. */
export interface EnvironmentOutputs {
    /** GitHub environment variable AWS_DEPLOY_ROLE_ARN. */
    readonly deployRoleArn: pulumi.Output<string>;
    /** The stacks' `saleor:cluster.aws.permissionsBoundaryArn`: the boundary of every role and user they create. */
    readonly workloadBoundaryArn: pulumi.Output<string>;
    /** GitHub environment secret PULUMI_BACKEND_URL; `pulumi login` with it. */
    readonly stateUrl: pulumi.Output<string>;
    /** `pulumi stack init <env> --secrets-provider <this>`. */
    readonly secretsProvider: string;
    /** The deploy job's `runs-on`. */
    readonly runnerLabel: string;
    /** The runner's CodeBuild project (its webhook exists once `runner.connectionAuthorized` is true). */
    readonly runnerProject: pulumi.Output<string>;
}

export interface BootstrapOutputs {
    /** Each environment's deploy role: the stacks' `saleor:cluster.aws.deployRoleArn`. */
    readonly deployRoles: Partial<Record<Environment, pulumi.Output<string>>>;
    /** Each environment's workload boundary: the stacks' `saleor:cluster.aws.permissionsBoundaryArn`. */
    readonly workloadBoundaries: Partial<Record<Environment, pulumi.Output<string>>>;
    /** The bucket of every environment's state: `s3://<bucket>`. */
    readonly stateBucketUrl: pulumi.Output<string>;
    /** `pulumi login` for the bootstrap's own state. */
    readonly bootstrapStateUrl: pulumi.Output<string>;
    readonly environments: Partial<Record<Environment, EnvironmentOutputs>>;
    /**
     * What the stacks peer with, route to and open their EKS endpoints to: the main program's
     * `saleor:cluster.aws.deployRunner` is `{ vpcId: id, vpcCidr: cidr, routeTableIds }`.
     */
    readonly runnerVpc: {
        readonly id: pulumi.Output<string>;
        readonly cidr: string;
        readonly region: string;
        /** The runner subnets' route tables, where the stacks add the routes through their peerings. */
        readonly routeTableIds: pulumi.Output<string>[];
    };
    readonly githubConnectionArn: pulumi.Output<string>;
    readonly githubConnectionStatus: pulumi.Output<string>;
    readonly githubOidcProviderArn: pulumi.Output<string>;
}

/** The parent of every bootstrap resource. */
class Account extends pulumi.ComponentResource {
    constructor() {
        super("saleor:bootstrap:Account", "account");
    }

    finish(outputs: BootstrapOutputs): void {
        this.registerOutputs(outputs);
    }
}

/**
 * Builds what belongs to the AWS account and not to a stack: state, secrets-provider keys, GitHub
 * OIDC and the deploy roles, the ECR account singletons, and the deploy runners.
 */
export function bootstrapAccount(cfg: BootstrapConfig): BootstrapOutputs {
    const account = new Account();
    const providerFor = (region: string) =>
        new aws.Provider(region, { region: region as aws.Region, defaultTags: { tags: { ...bootstrapTags } } }, { parent: account });
    const home = providerFor(cfg.homeRegion);
    const replicas = Object.fromEntries(cfg.replicaRegions.map((r) => [r, providerFor(r)]));
    const accountId = aws.getCallerIdentityOutput({}, { parent: account, provider: home }).accountId;

    const bucketName = cfg.stateBucketName !== undefined ? pulumi.output(cfg.stateBucketName) : accountId.apply(defaultStateBucketName);
    const bucket = createStateBucket(bucketName, account, home);
    const keys = Object.fromEntries(cfg.environments.map((env) => [env, createSecretsKey(env, account, home)])) as Record<
        Environment,
        ReturnType<typeof createSecretsKey>
    >;
    const oidc = createGithubOidcProvider(account, home);
    createRegistry({ environments: cfg.environments, accountId, home, replicas }, account);

    const network = createRunnerVpc(cfg.runner, account, home);
    const connection = cfg.runner.githubConnectionArn === undefined ? createGithubConnection(account, home) : undefined;
    const connectionArn = connection ? connection.arn : pulumi.output(cfg.runner.githubConnectionArn!);

    const regions = [...new Set([cfg.homeRegion, ...cfg.replicaRegions, cloudFrontRegion])];
    const perEnvironment: Partial<Record<Environment, EnvironmentOutputs>> = {};
    for (const env of cfg.environments) {
        const deployArgs = {
            env,
            cfg,
            regions,
            accountId,
            oidcProvider: oidc,
            stateBucket: bucket.bucket,
            secretsKeyArn: keys[env].key.arn,
            otherSecretsKeyArns: environments.filter((e) => e !== env && keys[e]).map((e) => keys[e].key.arn),
        };
        const role = createDeployRole(deployArgs, account, home);
        const boundary = createWorkloadBoundary(deployArgs, account, home);
        const runner = createRunnerProject({ env, cfg, network, connectionArn, accountId }, account, home);
        perEnvironment[env] = {
            deployRoleArn: role.arn,
            workloadBoundaryArn: boundary.arn,
            stateUrl: bucket.bucket.apply((b) => stateUrl(b, env, cfg.homeRegion)),
            secretsProvider: secretsProviderUrl(env, cfg.homeRegion),
            runnerLabel: runnerLabel(env),
            runnerProject: runner.project.name,
        };
    }

    const outputs: BootstrapOutputs = {
        deployRoles: Object.fromEntries(Object.entries(perEnvironment).map(([env, o]) => [env, o.deployRoleArn])),
        workloadBoundaries: Object.fromEntries(Object.entries(perEnvironment).map(([env, o]) => [env, o.workloadBoundaryArn])),
        stateBucketUrl: pulumi.interpolate`s3://${bucket.bucket}`,
        bootstrapStateUrl: bucket.bucket.apply((b) => stateUrl(b, "bootstrap", cfg.homeRegion)),
        environments: perEnvironment,
        runnerVpc: { id: network.vpc.id, cidr: cfg.runner.vpcCidr, region: cfg.homeRegion, routeTableIds: [network.privateRouteTable.id] },
        githubConnectionArn: connectionArn,
        githubConnectionStatus: connection ? connection.connectionStatus : pulumi.output("external"),
        githubOidcProviderArn: oidc.arn,
    };
    account.finish(outputs);
    return outputs;
}
