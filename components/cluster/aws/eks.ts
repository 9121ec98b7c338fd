import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { awsManagedPolicy, partitionOf } from "../../aws/arn";
import { createServiceRole } from "../../aws/iam";

/** Every control-plane log stream EKS offers: audits and authentication failures are what incidents need. */
export const controlPlaneLogTypes = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export interface ControlPlaneSettings {
    readonly clusterName: string;
    readonly region: string;
    readonly kubernetesVersion: string;
    readonly subnetIds: pulumi.Input<string[]>;
    readonly endpointPublicAccessCidrs: string[];
    readonly adminRoleArns: string[];
    readonly logRetentionDays: number;
    /** Protect the cluster and its secrets key from deletion and replacement. */
    readonly protect: boolean;
    readonly tags: Record<string, string>;
}

export interface ControlPlane {
    readonly cluster: aws.eks.Cluster;
    /** Envelope encryption key of Kubernetes Secrets. */
    readonly secretsKey: aws.kms.Key;
    readonly role: aws.iam.Role;
    /** Access policy associations of the admin roles: kubectl works for them once these exist. */
    readonly adminAccess: aws.eks.AccessPolicyAssociation[];
}

export function createControlPlane(name: string, s: ControlPlaneSettings, parent: pulumi.Resource): ControlPlane {
    // Losing this key makes every Secret in the cluster unreadable.
    const secretsKey = new aws.kms.Key(`${name}-eks-secrets`, {
        description: `Envelope encryption of Kubernetes Secrets in EKS cluster ${s.clusterName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags: s.tags,
    }, { parent, protect: s.protect });

    const { role, permissions } = createServiceRole(`${name}-eks-cluster`, {
        service: "eks.amazonaws.com",
        assumeActions: ["sts:AssumeRole", "sts:TagSession"],
        managedPolicyArns: [awsManagedPolicy(s.region, "AmazonEKSClusterPolicy")],
        tags: s.tags,
    }, parent);

    // EKS would create this group itself with logs kept forever; owning it sets the retention.
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-eks-logs`, {
        name: `/aws/eks/${s.clusterName}/cluster`,
        retentionInDays: s.logRetentionDays,
        tags: s.tags,
    }, { parent });

    const publicEndpoint = s.endpointPublicAccessCidrs.length > 0;
    const cluster = new aws.eks.Cluster(`${name}-eks`, {
        // Named up front: the subnets carry the name in their discovery tag before the cluster exists.
        name: s.clusterName,
        version: s.kubernetesVersion,
        roleArn: role.arn,
        // The add-ons are installed as managed add-ons instead, so EKS need not install (and we need not adopt) its own copies.
        bootstrapSelfManagedAddons: false,
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
        vpcConfig: {
            subnetIds: s.subnetIds,
            endpointPrivateAccess: true,
            endpointPublicAccess: publicEndpoint,
            // Unset when private: AWS would otherwise report (and a reader would see) 0.0.0.0/0.
            publicAccessCidrs: publicEndpoint ? s.endpointPublicAccessCidrs : undefined,
        },
        enabledClusterLogTypes: controlPlaneLogTypes,
        encryptionConfig: { resources: ["secrets"], provider: { keyArn: secretsKey.arn } },
        tags: s.tags,
    }, { parent, dependsOn: [...permissions, logGroup], protect: s.protect });

    const adminAccess = s.adminRoleArns.map((principalArn) => {
        // Named by the ARN's digest, so reordering the list replaces nothing.
        const entryName = `${name}-admin-${createHash("sha256").update(principalArn).digest("hex").slice(0, 8)}`;
        const entry = new aws.eks.AccessEntry(entryName, {
            clusterName: cluster.name,
            principalArn,
            type: "STANDARD",
            tags: s.tags,
        }, { parent });
        return new aws.eks.AccessPolicyAssociation(entryName, {
            clusterName: cluster.name,
            principalArn: entry.principalArn,
            policyArn: `arn:${partitionOf(s.region)}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
            accessScope: { type: "cluster" },
        }, { parent });
    });

    return { cluster, secretsKey, role, adminAccess };
}
