import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createServiceRole } from "./iam";

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
}

export interface PodIdentityRole {
    readonly role: aws.iam.Role;
    /** Created after the role's permissions, so pods never receive credentials that cannot do their job yet. */
    readonly association: aws.eks.PodIdentityAssociation;
}

/** The actions the EKS Pod Identity agent needs on a role: it tags each session with cluster, namespace and service account. */
export const podIdentityAssumeActions = ["sts:AssumeRole", "sts:TagSession"];

export function createPodIdentityRole(name: string, args: PodIdentityRoleArgs, parent: pulumi.Resource): PodIdentityRole {
    if (args.policyJson === undefined && !args.managedPolicyArns?.length) {
        throw new Error(`createPodIdentityRole ${name}: give policyJson or managedPolicyArns; a role without permissions is a mistake`);
    }
    const { role, permissions } = createServiceRole(
        name,
        {
            service: "pods.eks.amazonaws.com",
            assumeActions: podIdentityAssumeActions,
            managedPolicyArns: args.managedPolicyArns,
            policyJson: args.policyJson,
            tags: args.tags,
        },
        parent,
    );
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
