import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BootstrapConfig, Environment } from "./config";
import { workloadBoundaryPolicy } from "./boundary";
import { guardrailsPolicy, servicesPolicy, stateAndSecretsPolicy, type DeployFacts } from "./deploy-policy";
import { deployRoleName, iamPath, workloadBoundaryName } from "./naming";

/** GitHub Actions' OIDC issuer, without the scheme (the form IAM condition keys use). */
export const githubIssuer = "token.actions.githubusercontent.com";
/** The audience configure-aws-credentials asks for by default (its action.yml; research §7). */
export const stsAudience = "sts.amazonaws.com";

/**
 * The account's GitHub OIDC provider (one per account and issuer URL). No thumbprint: for GitHub,
 * IAM validates with its own library of trusted CAs, and configure-aws-credentials' README says a
 * thumbprint "if specified, will be ignored" (@pulumi/aws 7.48.0 iam/openIdConnectProvider.d.ts,
 * `thumbprintLists` "Without A Thumbprint"; research §7).
 */
export function createGithubOidcProvider(parent: pulumi.Resource, provider: aws.Provider): aws.iam.OpenIdConnectProvider {
    return new aws.iam.OpenIdConnectProvider(
        "github-actions",
        {
            url: `https://${githubIssuer}`,
            clientIdLists: [stsAudience],
        },
        { parent, provider },
    );
}

/**
 * The `sub` claims a job in GitHub environment `env` presents. GitHub: "If you use a workflow with
 * an environment, the sub field must reference the environment name:
 * repo:ORG-NAME/REPO-NAME:environment:ENVIRONMENT-NAME" (docs "Configuring OpenID Connect in Amazon
 * Web Services"). Since 2026 GitHub also emits an immutable form that appends the numeric owner and
 * repository ids, `repo:octo-org@123456/octo-repo@789012:...`: repositories created on or after
 * 15 July 2026, and older ones that opted in, send only that form, and a trust policy matching the
 * name-only form then fails (aws-actions/configure-aws-credentials README v6.2.3, "Immutable subject
 * claims"; github.blog changelog 2026-04-23). The environment stanza in the immutable form is
 * inferred from the two documented shapes (unverified). `both` trusts either exact form, for a
 * repository that opts in later: no wildcard, so a recycled name with another id never matches.
 */
export function githubSubjects(
    cfg: Pick<BootstrapConfig, "githubRepository" | "githubSubject" | "githubOwnerId" | "githubRepositoryId">,
    env: Environment,
): string[] {
    const [owner, repo] = cfg.githubRepository.split("/");
    const byName = `repo:${owner}/${repo}:environment:${env}`;
    const immutable = `repo:${owner}@${cfg.githubOwnerId}/${repo}@${cfg.githubRepositoryId}:environment:${env}`;
    switch (cfg.githubSubject) {
        case "name":
            return [byName];
        case "immutable":
            return [immutable];
        case "both":
            return [byName, immutable];
    }
}

/** The trust policy of `env`'s deploy role: GitHub's OIDC tokens for that environment of that repository only. */
export function deployTrustPolicy(oidcProviderArn: string, subjects: string[]) {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "GithubEnvironmentOnly",
                Effect: "Allow",
                Principal: { Federated: oidcProviderArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${githubIssuer}:aud`]: stsAudience,
                        [`${githubIssuer}:sub`]: subjects,
                    },
                },
            },
        ],
    };
}

export interface DeployRoleArgs {
    readonly env: Environment;
    readonly cfg: BootstrapConfig;
    readonly oidcProvider: aws.iam.OpenIdConnectProvider;
    readonly accountId: pulumi.Input<string>;
    readonly stateBucket: pulumi.Input<string>;
    readonly secretsKeyArn: pulumi.Input<string>;
    readonly otherSecretsKeyArns: pulumi.Input<string>[];
    /** Regions the stacks' resources live in (home, replicas, us-east-1). */
    readonly regions: string[];
}

/** What `args.env`'s IAM documents are about, resolved. */
export function deployFacts(args: DeployRoleArgs): pulumi.Output<DeployFacts> {
    return pulumi
        .all([args.accountId, args.stateBucket, args.secretsKeyArn, pulumi.all(args.otherSecretsKeyArns), args.oidcProvider.arn])
        .apply(([accountId, stateBucket, secretsKeyArn, otherSecretsKeyArns, oidcProviderArn]): DeployFacts => ({
            env: args.env,
            accountId,
            stateBucket,
            secretsKeyArn,
            otherSecretsKeyArns,
            oidcProviderArn,
            regions: args.regions,
            homeRegion: args.cfg.homeRegion,
        }));
}

/**
 * The role `env`'s deploy jobs assume. Its sessions last up to `deploySessionHours` (default 3 h):
 * a first production deployment is modelled at ~1 h and pessimistically 2 h, and a session cannot
 * be renewed mid-`pulumi up` (IAM MaxSessionDuration: 1 to 12 hours; STS AssumeRoleWithWebIdentity
 * DurationSeconds up to the role's maximum; research §7). The workflow asks for the same duration
 * (`role-duration-seconds`).
 */
export function createDeployRole(args: DeployRoleArgs, parent: pulumi.Resource, provider: aws.Provider): aws.iam.Role {
    const { env, cfg } = args;
    const name = deployRoleName(env);
    const role = new aws.iam.Role(
        name,
        {
            name,
            description: `Deploys the ${env} stacks from GitHub Actions (environment "${env}" of ${cfg.githubRepository})`,
            maxSessionDuration: cfg.deploySessionHours * 3600,
            assumeRolePolicy: args.oidcProvider.arn.apply((arn) => JSON.stringify(deployTrustPolicy(arn, githubSubjects(cfg, env)))),
        },
        { parent, provider },
    );

    const facts = deployFacts(args);
    const policies = {
        services: { make: servicesPolicy, what: "the services and regions the stacks use" },
        "state-and-secrets": { make: stateAndSecretsPolicy, what: "its own state prefix and secrets-provider key" },
        guardrails: {
            make: guardrailsPolicy,
            what: "explicit denies: other environments, the bootstrap's own resources, account singletons",
        },
    } as const;
    for (const [suffix, { make, what }] of Object.entries(policies)) {
        const policy = new aws.iam.Policy(
            `${name}-${suffix}`,
            {
                name: `${name}-${suffix}`,
                path: iamPath,
                description: `${env} deploy role: ${what}`,
                policy: facts.apply((f) => JSON.stringify(make(f))),
            },
            { parent, provider },
        );
        new aws.iam.RolePolicyAttachment(`${name}-${suffix}`, { role: role.name, policyArn: policy.arn }, { parent, provider });
    }
    return role;
}

/**
 * `env`'s workload boundary (boundary.ts): the permissions boundary its stacks set on every role and
 * user, and the only one its deploy role may create them with. At the bootstrap's IAM path, where
 * the deploy roles are denied every change.
 */
export function createWorkloadBoundary(args: DeployRoleArgs, parent: pulumi.Resource, provider: aws.Provider): aws.iam.Policy {
    const name = workloadBoundaryName(args.env);
    return new aws.iam.Policy(
        name,
        {
            name,
            path: iamPath,
            description: `Permissions boundary of every IAM role and user of the ${args.env} stacks`,
            policy: deployFacts(args).apply((f) => JSON.stringify(workloadBoundaryPolicy(f))),
        },
        { parent, provider },
    );
}
