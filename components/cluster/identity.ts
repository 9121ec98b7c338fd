import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

// Deliberately free of cluster-internal imports: the data tier builds its workload roles with the
// same helpers without depending on how the cluster is put together.

/** An IAM role that one AWS service principal may assume, with managed and/or inline permissions. */
export interface ServiceRoleArgs {
    /** Service principal trusted to assume the role, e.g. "eks.amazonaws.com". */
    readonly service: string;
    /** Actions the principal may call on the role. Default: ["sts:AssumeRole"]. */
    readonly assumeActions?: string[];
    /** AWS- or customer-managed policies attached to the role. Default: none. */
    readonly managedPolicyArns?: pulumi.Input<string>[];
    /** An inline policy document (JSON). Default: none. */
    readonly policyJson?: pulumi.Input<string>;
    /** Tags on the role. Default: none. */
    readonly tags?: Record<string, string>;
}

export interface ServiceRole {
    readonly role: aws.iam.Role;
    /** The attachments and inline policy: depend on these to know the role can already do its job. */
    readonly permissions: pulumi.Resource[];
}

/**
 * A role trusted by one service principal. AWS resources inherit their provider from `parent`, so
 * the role is created through whatever AWS provider the calling component was given.
 */
export function createServiceRole(name: string, args: ServiceRoleArgs, parent: pulumi.Resource): ServiceRole {
    const role = new aws.iam.Role(name, {
        assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{
                Effect: "Allow",
                Principal: { Service: args.service },
                Action: args.assumeActions ?? ["sts:AssumeRole"],
            }],
        }),
        tags: args.tags,
    }, { parent });

    const permissions: pulumi.Resource[] = (args.managedPolicyArns ?? []).map((policyArn, i) =>
        new aws.iam.RolePolicyAttachment(`${name}-${typeof policyArn === "string" ? policyArn.split("/").pop() : `policy-${i}`}`, {
            role: role.name,
            policyArn,
        }, { parent }));
    if (args.policyJson !== undefined) {
        permissions.push(new aws.iam.RolePolicy(`${name}-inline`, { role: role.id, policy: args.policyJson }, { parent }));
    }
    return { role, permissions };
}

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
    const { role, permissions } = createServiceRole(name, {
        service: "pods.eks.amazonaws.com",
        assumeActions: podIdentityAssumeActions,
        managedPolicyArns: args.managedPolicyArns,
        policyJson: args.policyJson,
        tags: args.tags,
    }, parent);
    const association = new aws.eks.PodIdentityAssociation(name, {
        clusterName: args.clusterName,
        namespace: args.namespace,
        serviceAccount: args.serviceAccountName,
        roleArn: role.arn,
        tags: args.tags,
    }, { parent, dependsOn: permissions });
    return { role, association };
}
