import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createPodIdentityRole } from "../identity";
import { awsManagedPolicy } from "./arn";

/** DaemonSets nodes need to become Ready and to hand out pod credentials: installed before any node exists. */
export const nodeAddons = ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"];

export interface AddonSettings {
    readonly cluster: aws.eks.Cluster;
    readonly region: string;
    readonly kubernetesVersion: string;
    readonly tags: Record<string, string>;
}

/** Installs `addonName` at the newest version EKS publishes for the cluster's Kubernetes version. */
export function createAddon(name: string, addonName: string, s: AddonSettings, dependsOn: pulumi.Resource[], parent: pulumi.Resource): aws.eks.Addon {
    // Looked up rather than pinned: a literal goes stale with every EKS release and breaks upgrades.
    const { version } = aws.eks.getAddonVersionOutput({
        addonName,
        kubernetesVersion: s.kubernetesVersion,
        mostRecent: true,
    }, { parent });
    return new aws.eks.Addon(`${name}-${addonName}`, {
        clusterName: s.cluster.name,
        addonName,
        addonVersion: version,
        // The cluster is created without self-managed copies, so there is nothing of ours to preserve.
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "OVERWRITE",
        tags: s.tags,
    }, { parent, dependsOn });
}

/**
 * The add-ons that run as Deployments, so they wait for nodes (`nodeGroups`), or they would never
 * become healthy: CoreDNS, and the EBS CSI driver with its volume permissions bound through Pod Identity.
 */
export function createWorkloadAddons(name: string, s: AddonSettings, nodeGroups: pulumi.Resource[], parent: pulumi.Resource): Record<string, aws.eks.Addon> {
    const { association } = createPodIdentityRole(`${name}-ebs-csi`, {
        clusterName: s.cluster.name,
        namespace: "kube-system",
        serviceAccountName: "ebs-csi-controller-sa",
        managedPolicyArns: [awsManagedPolicy(s.region, "service-role/AmazonEBSCSIDriverPolicy")],
        tags: s.tags,
    }, parent);
    return {
        "coredns": createAddon(name, "coredns", s, nodeGroups, parent),
        // The controller must start with its credentials already bound.
        "aws-ebs-csi-driver": createAddon(name, "aws-ebs-csi-driver", s, [...nodeGroups, association], parent),
    };
}
