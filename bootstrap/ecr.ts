import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { creationTemplatePrefix, lifecyclePolicy, replicationPrefix } from "../catalog/ecr";
import type { Environment } from "./config";
import { iamPath } from "./naming";

export interface RegistryArgs {
    readonly environments: readonly Environment[];
    readonly accountId: pulumi.Input<string>;
    /** The home region's provider: where the stacks push. */
    readonly home: aws.Provider;
    /** Destination region → its provider. */
    readonly replicas: Record<string, aws.Provider>;
}

export interface Registry {
    readonly replication?: aws.ecr.ReplicationConfiguration;
    readonly templates: aws.ecr.RepositoryCreationTemplate[];
    readonly scanning: aws.ecr.RegistryScanningConfiguration[];
}

/**
 * The ECR settings that belong to the account and region rather than to a stack.
 *
 * - Replication: "Creates or updates the replication configuration for a registry" — one per
 *   account and region, so a stack that declared its own would overwrite the other stack's
 *   (API_PutReplicationConfiguration; research §3(b)). One rule per environment selects that
 *   environment's repositories, `<env>/...`. Same-account cross-region replication needs no
 *   registry policy (registry-permissions-create-replication.html; research §3(d)).
 * - Repository creation templates in each destination region: a repository ECR creates by
 *   replication otherwise gets "the default settings ... turning off tag immutability, using AES-256
 *   encryption, and not applying any repository or lifecycle policies", and a template only applies
 *   "during repository creation" (repository-creation-templates.html; research §3(a)). So the templates
 *   exist before the replication rule: the replication configuration depends on them.
 * - Basic scanning on push for every repository, in every region with images (scanning is a
 *   registry setting too; the repositories' own `scanOnPush` is the older per-repository form).
 */
export function createRegistry(args: RegistryArgs, parent: pulumi.Resource): Registry {
    const homeOpts = { parent, provider: args.home };
    const templateRole = createTemplateRole(parent, args.home, args.accountId);
    const templates: aws.ecr.RepositoryCreationTemplate[] = [];
    for (const [region, provider] of Object.entries(args.replicas)) {
        for (const env of args.environments) {
            templates.push(
                new aws.ecr.RepositoryCreationTemplate(
                    `${env}-replicas-${region}`,
                    {
                        prefix: creationTemplatePrefix(env),
                        description: `Repositories ECR creates in ${region} when it replicates ${env}'s images`,
                        appliedFors: ["REPLICATION"],
                        // As the stacks' own repositories (components/registry.ts): a released tag always names the same image.
                        imageTagMutability: "IMMUTABLE",
                        // The AWS-managed ECR key, as at home; KMS in a template needs the custom role.
                        encryptionConfigurations: [{ encryptionType: "KMS" }],
                        lifecyclePolicy: lifecyclePolicy(),
                        resourceTags: { "saleor:environment": env, "managed-by": "pulumi" },
                        customRoleArn: templateRole.role.arn,
                    },
                    { parent, provider, dependsOn: [templateRole.permissions] },
                ),
            );
        }
    }

    const destinations = Object.keys(args.replicas);
    const replication =
        destinations.length === 0
            ? undefined
            : new aws.ecr.ReplicationConfiguration(
                  "replication",
                  {
                      replicationConfiguration: {
                          // ECR allows 10 rules per configuration; two environments use two.
                          rules: args.environments.map((env) => ({
                              destinations: destinations.map((region) => ({ region, registryId: args.accountId })),
                              repositoryFilters: [{ filter: replicationPrefix(env), filterType: "PREFIX_MATCH" }],
                          })),
                      },
                  },
                  { ...homeOpts, dependsOn: templates },
              );

    const scanning = [["home", args.home] as const, ...Object.entries(args.replicas)].map(
        ([label, provider]) =>
            new aws.ecr.RegistryScanningConfiguration(
                `scanning-${label === "home" ? "home" : label}`,
                {
                    scanType: "BASIC",
                    rules: [{ scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] }],
                },
                { parent, provider },
            ),
    );
    return { replication, templates, scanning };
}

/**
 * The role ECR assumes to create a replicated repository with KMS encryption and tags ("A custom
 * IAM role ... Required if using repository tags or KMS encryption", @pulumi/aws 7.48.0
 * ecr/repositoryCreationTemplate.d.ts). Trust and permissions as AWS's examples give them
 * (AmazonECR userguide repository-creation-templates-create-iam.html and -custom.html).
 */
function createTemplateRole(
    parent: pulumi.Resource,
    provider: aws.Provider,
    accountId: pulumi.Input<string>,
): { role: aws.iam.Role; permissions: aws.iam.RolePolicy } {
    const role = new aws.iam.Role(
        "ecr-repository-creation",
        {
            name: "saleor-ecr-repository-creation",
            path: iamPath,
            description: "Assumed by ECR to create replicated repositories from the creation templates",
            // The confused-deputy guard (IAM User Guide, "The confused deputy problem"): only requests for
            // this account. AWS's example for this role shows no condition and does not say whether ECR sends
            // aws:SourceAccount (unverified here), so ...IfExists: a request naming another account is
            // refused, and ECR cannot be locked out if it sends none.
            assumeRolePolicy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Service: "ecr.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: { StringEqualsIfExists: { "aws:SourceAccount": accountId } },
                    },
                ],
            }),
        },
        { parent, provider },
    );
    const permissions = new aws.iam.RolePolicy(
        "ecr-repository-creation",
        {
            role: role.id,
            policy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Action: ["ecr:CreateRepository", "ecr:ReplicateImage", "ecr:TagResource"], Resource: "*" },
                    { Effect: "Allow", Action: ["kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"], Resource: "*" },
                ],
            }),
        },
        { parent, provider },
    );
    return { role, permissions };
}
