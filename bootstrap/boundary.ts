import { environments } from "./config";
import type { DeployFacts, PolicyDocument, Statement } from "./deploy-policy";
import { deployRoleName, iamPath, secretsKeyAlias } from "./naming";

// The permissions boundary of every IAM role and user an environment's stacks create (EKS cluster
// and nodes, Pod Identity roles of the add-ons and controllers, RDS monitoring, AWS Backup, S3
// replication, the SES SMTP user). A boundary grants nothing: a request is allowed only when the
// entity's own policies AND its boundary allow it ("Permissions boundaries for IAM entities", IAM
// User Guide). The deploy role may create roles and users only with this boundary (deploy-policy.ts,
// OnlyBoundedIdentities), so a compromised deploy job cannot mint itself an administrator: whatever
// it attaches to a role it creates, the role can do no more than this document allows.
//
// What it caps, and why it is written as it is:
//   - Everything outside IAM, STS, Organizations and Account stays allowed (Allow NotAction). The
//     roles attach AWS-managed policies (AmazonEKSClusterPolicy, AmazonEKSWorkerNodePolicy,
//     AmazonEC2ContainerRegistryReadOnly, AmazonEKS_CNI_Policy, AmazonEBSCSIDriverPolicy,
//     CloudWatchAgentServerPolicy, AmazonRDSEnhancedMonitoringRole, AWSBackupServiceRolePolicyFor-
//     Backup/-Restores, AWSBackupServiceRolePolicyForS3Backup/-Restore) and controller policies (AWS
//     Load Balancer Controller, Cluster Autoscaler, External Secrets) whose action lists AWS and the
//     projects change over time; enumerating them here would break a controller silently the day
//     one gains an action. The boundary's job is the identity plane, which none of them administers.
//   - Of IAM, only what those policies use: reading (iam:Get*, iam:List*: the Load Balancer
//     Controller's iam:GetServerCertificate / iam:ListServerCertificates, docs/install/
//     iam_policy.json of kubernetes-sigs/aws-load-balancer-controller), iam:CreateServiceLinkedRole
//     (the same file: for elasticloadbalancing.amazonaws.com; a service-linked role's permissions
//     are AWS's, not the caller's) and iam:PassRole (AWS Backup restores into services that take a
//     role; the full AWSBackupServiceRolePolicyForRestores document could not be read here, so it
//     is kept rather than risk a failing restore). Not one action that creates, changes or attaches
//     a policy, role, user, group, key or credential.
//   - No STS at all: none of these roles assumes another role (Pod Identity's agent, not the role,
//     calls eks-auth:AssumeRoleForPodIdentity); sts:GetCallerIdentity needs no permission.
//   - The environment isolation the deploy roles have (deploy-policy.ts guardrailsPolicy), where it
//     matters for a workload: no access to the state bucket (any prefix: a workload never reads
//     state), none to any environment's secrets-provider key, nothing on resources tagged for
//     another environment or tagging one for it, and nothing on the bootstrap's identities (passing
//     a deploy role or a runner role to a service would hand that service the deploy's power).

/** Services whose every action the boundary leaves out; the identity plane. */
export const boundaryExcludedServices = ["iam", "sts", "organizations", "account"] as const;

/** The IAM actions the boundary leaves in (see the header): reading, service-linked roles, passing roles. */
export const boundaryIamActions = ["iam:Get*", "iam:List*", "iam:CreateServiceLinkedRole", "iam:PassRole"] as const;

const document = (...statements: Statement[]): PolicyDocument => ({ Version: "2012-10-17", Statement: statements });

/** The boundary of `f.env`'s stack roles and users. */
export function workloadBoundaryPolicy(f: DeployFacts): PolicyDocument {
    const bucket = `arn:aws:s3:::${f.stateBucket}`;
    const others = environments.filter((e) => e !== f.env);
    return document(
        {
            Sid: "EverythingButTheIdentityPlane",
            Effect: "Allow",
            NotAction: boundaryExcludedServices.map((s) => `${s}:*`),
            Resource: "*",
        },
        { Sid: "WhatTheStacksRolesUseOfIam", Effect: "Allow", Action: [...boundaryIamActions], Resource: "*" },
        { Sid: "NoState", Effect: "Deny", Action: "s3:*", Resource: [bucket, `${bucket}/*`] },
        {
            Sid: "NoSecretsProviderKeys",
            Effect: "Deny",
            Action: "kms:*",
            Resource: [f.secretsKeyArn, ...f.otherSecretsKeyArns],
        },
        {
            // By alias too: it holds for a key re-created under the same alias.
            Sid: "NoSecretsProviderKeysByAlias",
            Effect: "Deny",
            Action: "kms:*",
            Resource: "*",
            Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": environments.map(secretsKeyAlias) } },
        },
        {
            Sid: "NoBootstrapIdentities",
            Effect: "Deny",
            NotAction: ["iam:Get*", "iam:List*"],
            Resource: [
                ...environments.map((e) => `arn:aws:iam::${f.accountId}:role/${deployRoleName(e)}`),
                `arn:aws:iam::${f.accountId}:role${iamPath}*`,
                `arn:aws:iam::${f.accountId}:policy${iamPath}*`,
                f.oidcProviderArn,
            ],
        },
        {
            Sid: "NoOtherEnvironmentsTaggedResources",
            Effect: "Deny",
            Action: "*",
            Resource: "*",
            Condition: { StringEquals: { "aws:ResourceTag/saleor:environment": others } },
        },
        {
            Sid: "NoResourcesTaggedForOtherEnvironments",
            Effect: "Deny",
            Action: "*",
            Resource: "*",
            Condition: { StringEquals: { "aws:RequestTag/saleor:environment": others } },
        },
    );
}
