import { environments, type Environment } from "./config";
import { bootstrapStatePrefix, deployRoleName, iamPath, secretsKeyAlias, statePrefix, workloadBoundaryArn } from "./naming";

// The deploy roles' permissions as plain IAM documents (resolved strings in, JSON-able objects out),
// so a spec reads exactly what IAM will.
//
// NOT least privilege, said plainly. A stack creates VPCs, EKS, RDS, ElastiCache, S3, ECR, KMS keys,
// IAM roles, CloudFront, WAF, ACM, Route 53, CloudWatch, EventBridge, SNS, AWS Backup, Secrets
// Manager, SES and Lambda resources,
// so the role is allowed every action of those services (and only those), in the stacks' regions
// only. What is enforced, with explicit Deny statements that no Allow can override:
//   - it creates roles and users, and attaches, puts, detaches or deletes their policies, only when
//     they carry this environment's workload boundary (boundary.ts), and never removes a boundary:
//     a role it mints can do no more than the boundary allows, which excludes IAM changes, STS,
//     Organizations and Account, so the old escalation (iam:CreateRole + AttachRolePolicy
//     AdministratorAccess, then pass or assume it) ends at the boundary;
//   - it changes a role's trust policy, or creates an access key or console password for a user,
//     only on identities tagged saleor:environment=<its environment>;
//   - an environment's role cannot read or write another environment's state prefix, the
//     bootstrap's own state, or the state bucket's configuration;
//   - it cannot use another environment's secrets-provider key, nor administer its own;
//   - it cannot touch another environment's ECR repositories or resources tagged with another
//     environment (for the actions that support aws:ResourceTag / aws:RequestTag);
//   - it cannot change the bootstrap's identities (the deploy roles, the roles and policies under
//     /saleor-bootstrap/ — the workload boundaries among them —, the GitHub OIDC provider) or the
//     account singletons the bootstrap owns (ECR replication, scanning, creation templates,
//     registry policy; CodeBuild; CodeConnections).
// Still broad: every action of the listed services in the stacks' regions (it can delete its own
// environment's databases and clusters; production's are protected in the program, not here);
// iam:PassRole and iam:AddRoleToInstanceProfile on any role of the account, so a role created
// outside this project with more power than the boundary (an administrator role of the account)
// can still be handed to an EC2 instance it starts; and the saleor:environment tag that gates the
// trust and credential deny is one it may set itself (iam:TagRole), so that deny stops a mistake
// or a careless change, not a determined attacker. Closing those needs an account without other
// powerful roles, or an SCP, outside what this program manages.
// The service list comes from the resource types the offline plans of staging and production
// register: tests/bootstrap/deploy-services.spec.ts fails when a new resource type's service is missing.

export interface Statement {
    readonly Sid: string;
    readonly Effect: "Allow" | "Deny";
    readonly Action?: string | string[];
    readonly NotAction?: string | string[];
    readonly Resource: string | string[];
    readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
    readonly Version: "2012-10-17";
    readonly Statement: Statement[];
}

/** What the documents are about, resolved. */
export interface DeployFacts {
    readonly env: Environment;
    readonly accountId: string;
    /** Regions the stacks deploy to, plus us-east-1 (CloudFront's ACM certificate and WAF live there). */
    readonly regions: string[];
    readonly homeRegion: string;
    readonly stateBucket: string;
    /** This environment's secrets-provider key. */
    readonly secretsKeyArn: string;
    /** The other environments' secrets-provider keys created in this account (may be empty). */
    readonly otherSecretsKeyArns: string[];
    readonly oidcProviderArn: string;
}

/** Services whose resources the stacks create, every action, in the stacks' regions only. */
export const regionalServices = [
    "acm",
    "backup",
    "backup-storage",
    "cloudwatch",
    "ec2",
    "ecr",
    "eks",
    "elasticache",
    "elasticloadbalancing",
    "events",
    "kms",
    "lambda",
    "logs",
    "rds",
    "s3",
    "secretsmanager",
    "ses",
    "sns",
    "wafv2",
] as const;

/**
 * What creates a role or user, or changes the policies on one: allowed only with this environment's
 * workload boundary on it (guardrailsPolicy, OnlyBoundedIdentities).
 */
export const boundedIdentityActions = [
    "iam:CreateRole",
    "iam:CreateUser",
    "iam:PutRolePermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
    "iam:AttachRolePolicy",
    "iam:PutRolePolicy",
    "iam:DetachRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:AttachUserPolicy",
    "iam:PutUserPolicy",
    "iam:DetachUserPolicy",
    "iam:DeleteUserPolicy",
] as const;

/** Global services: IAM (roles for EKS, nodes, pods, replication), CloudFront, Route 53. */
export const globalServices = ["iam", "cloudfront", "route53"] as const;

const document = (...statements: Statement[]): PolicyDocument => ({ Version: "2012-10-17", Statement: statements });
const others = (env: Environment): Environment[] => environments.filter((e) => e !== env);

/** Allows: the services the stacks use. */
export function servicesPolicy(f: DeployFacts): PolicyDocument {
    return document(
        {
            Sid: "StackServicesInStackRegions",
            Effect: "Allow",
            Action: regionalServices.map((s) => `${s}:*`),
            Resource: "*",
            Condition: { StringEquals: { "aws:RequestedRegion": f.regions } },
        },
        {
            Sid: "StackGlobalServices",
            Effect: "Allow",
            Action: [...globalServices.map((s) => `${s}:*`), "sts:GetCallerIdentity"],
            Resource: "*",
        },
    );
}

/** Allows: this environment's state prefix and secrets-provider key, nothing else of the bootstrap's. */
export function stateAndSecretsPolicy(f: DeployFacts): PolicyDocument {
    const bucket = `arn:aws:s3:::${f.stateBucket}`;
    const prefix = statePrefix(f.env);
    return document(
        {
            Sid: "OwnStateObjects",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject"],
            Resource: `${bucket}/${prefix}/*`,
        },
        {
            Sid: "ListOwnState",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: bucket,
            Condition: { StringLike: { "s3:prefix": [prefix, `${prefix}/*`] } },
        },
        { Sid: "LocateStateBucket", Effect: "Allow", Action: "s3:GetBucketLocation", Resource: bucket },
        {
            // What Pulumi's awskms secrets provider calls: a data key per stack, encrypted under the key.
            Sid: "OwnSecretsProvider",
            Effect: "Allow",
            Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
            Resource: f.secretsKeyArn,
        },
    );
}

/** Denies that hold whatever the Allows say (an explicit Deny always wins in IAM's evaluation). */
export function guardrailsPolicy(f: DeployFacts): PolicyDocument {
    const bucket = `arn:aws:s3:::${f.stateBucket}`;
    const forbiddenPrefixes = [...others(f.env).map(statePrefix), bootstrapStatePrefix];
    const otherAliases = others(f.env).map(secretsKeyAlias);
    const iam = (kind: string) => `arn:aws:iam::${f.accountId}:${kind}${iamPath}*`;
    const statements: Statement[] = [
        {
            Sid: "NoOtherEnvironmentsState",
            Effect: "Deny",
            Action: "s3:*",
            Resource: forbiddenPrefixes.map((p) => `${bucket}/${p}/*`),
        },
        {
            Sid: "NoListingOtherEnvironmentsState",
            Effect: "Deny",
            Action: ["s3:ListBucket", "s3:ListBucketVersions"],
            Resource: bucket,
            Condition: { StringLike: { "s3:prefix": forbiddenPrefixes.flatMap((p) => [p, `${p}/*`]) } },
        },
        {
            // Versioning, encryption, the public access block and the TLS-only policy stay as the bootstrap set them.
            Sid: "NoStateBucketConfiguration",
            Effect: "Deny",
            NotAction: ["s3:ListBucket", "s3:ListBucketVersions", "s3:GetBucketLocation"],
            Resource: bucket,
        },
        {
            // By alias, so it holds also for a key in another account's bootstrap of the same names.
            Sid: "NoOtherEnvironmentsSecretsKeyByAlias",
            Effect: "Deny",
            Action: "kms:*",
            Resource: "*",
            Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": otherAliases } },
        },
        {
            Sid: "NoSecretsKeyAdministration",
            Effect: "Deny",
            Action: [
                "kms:PutKeyPolicy",
                "kms:ScheduleKeyDeletion",
                "kms:DisableKey",
                "kms:DisableKeyRotation",
                "kms:CreateGrant",
                "kms:RevokeGrant",
                "kms:RetireGrant",
                "kms:UpdateKeyDescription",
                "kms:TagResource",
                "kms:UntagResource",
            ],
            Resource: [f.secretsKeyArn, ...f.otherSecretsKeyArns],
        },
        {
            Sid: "NoSecretsKeyAliases",
            Effect: "Deny",
            Action: ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
            Resource: environments.map((e) => `arn:aws:kms:${f.homeRegion}:${f.accountId}:${secretsKeyAlias(e)}`),
        },
        {
            // Reading stays allowed: the stacks look up their own deploy role (iam.getSessionContext
            // calls iam:GetRole to find the role behind the session) to grant it cluster access.
            Sid: "NoChangingBootstrapIdentities",
            Effect: "Deny",
            NotAction: ["iam:Get*", "iam:List*"],
            Resource: [
                ...environments.map((e) => `arn:aws:iam::${f.accountId}:role/${deployRoleName(e)}`),
                iam("role"),
                iam("policy"),
                f.oidcProviderArn,
            ],
        },
        {
            Sid: "NoAccountSingletons",
            Effect: "Deny",
            Action: [
                "ecr:PutReplicationConfiguration",
                "ecr:PutRegistryScanningConfiguration",
                "ecr:PutRegistryPolicy",
                "ecr:DeleteRegistryPolicy",
                "ecr:CreateRepositoryCreationTemplate",
                "ecr:UpdateRepositoryCreationTemplate",
                "ecr:DeleteRepositoryCreationTemplate",
                "codebuild:*",
                "codeconnections:*",
                "codestar-connections:*",
            ],
            Resource: "*",
        },
        {
            Sid: "NoOtherEnvironmentsRepositories",
            Effect: "Deny",
            Action: "ecr:*",
            Resource: others(f.env).map((e) => `arn:aws:ecr:*:${f.accountId}:repository/${e}/*`),
        },
        {
            // Every role and user the deploy creates, or whose permissions it changes, carries this
            // environment's workload boundary (boundary.ts), so nothing it mints can do more than a
            // workload may. For these actions the request carries the entity's boundary as
            // iam:PermissionsBoundary (Service Authorization Reference, "Actions, resources, and
            // condition keys for AWS Identity and Access Management"). Of that table only the rows
            // of AttachRolePolicy and AttachUserPolicy could be read here (both list the key); the
            // other ten are from the IAM User Guide's boundary-delegation example as remembered,
            // unverified here. A negated operator matches a request without the key, so an entity
            // without a boundary is refused too (and an action whose request never carried the key
            // would be refused outright: a failed deploy, not a hole).
            Sid: "OnlyBoundedIdentities",
            Effect: "Deny",
            Action: [...boundedIdentityActions],
            Resource: "*",
            Condition: { StringNotEquals: { "iam:PermissionsBoundary": workloadBoundaryArn(f.accountId, f.env) } },
        },
        {
            Sid: "NoRemovingBoundaries",
            Effect: "Deny",
            Action: ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"],
            Resource: "*",
        },
        {
            // iam:PermissionsBoundary is not in these requests. A role's trust and a user's
            // credentials are changed only on identities tagged for this environment (IAM User Guide,
            // "Controlling access to and for IAM users and roles using tags": aws:ResourceTag on
            // user and role resources): not on a person's user or another project's role.
            Sid: "NoTakingOverOtherIdentities",
            Effect: "Deny",
            Action: ["iam:UpdateAssumeRolePolicy", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"],
            Resource: "*",
            Condition: { StringNotEquals: { "aws:ResourceTag/saleor:environment": f.env } },
        },
        {
            // The stacks tag every resource with saleor:environment through their providers' default tags.
            Sid: "NoOtherEnvironmentsTaggedResources",
            Effect: "Deny",
            Action: "*",
            Resource: "*",
            Condition: { StringEquals: { "aws:ResourceTag/saleor:environment": others(f.env) } },
        },
        {
            Sid: "NoResourcesTaggedForOtherEnvironments",
            Effect: "Deny",
            Action: "*",
            Resource: "*",
            Condition: { StringEquals: { "aws:RequestTag/saleor:environment": others(f.env) } },
        },
    ];
    return document(...statements);
}
