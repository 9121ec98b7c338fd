import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { partitionOf } from "./arn";
import { accountOf, createServiceRole, type ServiceRole } from "./iam";

/** A role for one Kubernetes service account, bound through EKS Pod Identity (no OIDC provider, no annotations). */
export interface PodIdentityRoleArgs {
    /** The EKS cluster whose pods assume the role. */
    readonly clusterName: pulumi.Input<string>;
    readonly namespace: pulumi.Input<string>;
    /** The service account the pods run as; it need not exist yet. */
    readonly serviceAccountName: pulumi.Input<string>;
    /** An inline policy document (JSON). Give this, `managedPolicyArns`, or both. */
    readonly policyJson?: pulumi.Input<string>;
    /** Managed policies attached to the role. */
    readonly managedPolicyArns?: pulumi.Input<string>[];
    /** Tags on the role and the association. Default: none. */
    readonly tags?: Record<string, string>;
    /** The role's permissions boundary (ServiceRoleArgs.permissionsBoundary). */
    readonly permissionsBoundary: pulumi.Input<string>;
}

export interface PodIdentityRole {
    readonly role: aws.iam.Role;
    /** Created after the role's permissions, so pods never receive credentials that cannot do their job yet. */
    readonly association: aws.eks.PodIdentityAssociation;
}

/** The actions the EKS Pod Identity agent needs on a role: it tags each session with cluster, namespace and service account. */
export const podIdentityAssumeActions = ["sts:AssumeRole", "sts:TagSession"];

/**
 * The trust conditions binding a Pod Identity role to one service account of one cluster. The trust
 * policy's form is AWS's ("Create IAM role with trust policy required by EKS Pod Identity", Amazon EKS
 * User Guide, pod-id-role): principal pods.eks.amazonaws.com, actions sts:AssumeRole and
 * sts:TagSession, and conditions on the session tags Pod Identity sends (eks-cluster-arn,
 * kubernetes-namespace, kubernetes-service-account). The cluster's ARN names its account and
 * region, so no other account's or region's cluster can use the role, even with an association.
 */
export function podIdentityConditions(
    clusterArn: pulumi.Input<string>,
    namespace: pulumi.Input<string>,
    serviceAccountName: pulumi.Input<string>,
): Record<string, Record<string, pulumi.Input<string>>> {
    return {
        StringEquals: {
            "aws:RequestTag/eks-cluster-arn": clusterArn,
            "aws:RequestTag/kubernetes-namespace": namespace,
            "aws:RequestTag/kubernetes-service-account": serviceAccountName,
        },
    };
}

/** The ARN of EKS cluster `clusterName` in the account and region of `parent`'s AWS provider. */
export function clusterArnOf(clusterName: pulumi.Input<string>, parent: pulumi.Resource): pulumi.Output<string> {
    const region = aws.getRegionOutput({}, { parent }).region;
    return pulumi.interpolate`arn:${region.apply(partitionOf)}:eks:${region}:${accountOf(parent)}:cluster/${clusterName}`;
}

/**
 * The role alone, trusted by Pod Identity for one service account, without an association: for an
 * EKS add-on, whose own `podIdentityAssociations` create the association.
 */
export function createPodIdentityTrustedRole(name: string, args: PodIdentityRoleArgs, parent: pulumi.Resource): ServiceRole {
    if (args.policyJson === undefined && !args.managedPolicyArns?.length) {
        throw new Error(`createPodIdentityRole ${name}: give policyJson or managedPolicyArns; a role without permissions is a mistake`);
    }
    return createServiceRole(
        name,
        {
            service: "pods.eks.amazonaws.com",
            assumeActions: podIdentityAssumeActions,
            conditions: podIdentityConditions(clusterArnOf(args.clusterName, parent), args.namespace, args.serviceAccountName),
            managedPolicyArns: args.managedPolicyArns,
            policyJson: args.policyJson,
            tags: args.tags,
            permissionsBoundary: args.permissionsBoundary,
        },
        parent,
    );
}

export function createPodIdentityRole(name: string, args: PodIdentityRoleArgs, parent: pulumi.Resource): PodIdentityRole {
    const { role, permissions } = createPodIdentityTrustedRole(name, args, parent);
    const association = new aws.eks.PodIdentityAssociation(
        name,
        {
            clusterName: args.clusterName,
            namespace: args.namespace,
            serviceAccount: args.serviceAccountName,
            roleArn: role.arn,
            tags: args.tags,
        },
        { parent, dependsOn: permissions },
    );
    return { role, association };
}
