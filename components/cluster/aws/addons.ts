import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsManagedPolicy } from "../../aws/arn";
import { createPodIdentityRole, createPodIdentityTrustedRole } from "../../aws/pod-identity";
import { awsTimeouts } from "../../aws/timeouts";

/** DaemonSets nodes need to become Ready and to hand out pod credentials: installed before any node exists. */
export const nodeAddons = ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"];

/**
 * Add-on configuration that differs from EKS's defaults: the VPC CNI enforces NetworkPolicies only
 * with its network-policy agent switched on; without it the namespace's policies would be inert.
 */
export const addonConfiguration: Record<string, string> = {
    "vpc-cni": JSON.stringify({ enableNetworkPolicy: "true" }),
};

/**
 * Add-ons whose pods call AWS with a role of their own, bound through the add-on's Pod Identity
 * association, instead of the node role that every pod on the node could reach. The VPC CNI (its
 * aws-node service account) needs AmazonEKS_CNI_Policy: "Configure Amazon VPC CNI plugin to use
 * IRSA" (Amazon EKS User Guide) recommends a separate role and notes the plugin supports EKS Pod
 * Identity; "Amazon EKS node IAM role" recommends removing the policy from the node role. The
 * add-on's `podIdentityAssociations` (provider docs r/eks_addon, `pod_identity_association`:
 * `role_arn`, `service_account`) makes EKS own the association with the add-on.
 *
 * On a cluster that ran the CNI on the node role, the aws-node pods already running keep the
 * credentials they started with; EKS injects Pod Identity at pod creation, so they take the new
 * role when restarted (`kubectl -n kube-system rollout restart daemonset aws-node`) or on new nodes.
 * Whether UpdateAddon restarts them itself is not documented.
 */
export const addonIdentities: Readonly<Record<string, { namespace: string; serviceAccount: string; managedPolicy: string }>> = {
    "vpc-cni": { namespace: "kube-system", serviceAccount: "aws-node", managedPolicy: "AmazonEKS_CNI_Policy" },
};

export interface AddonSettings {
    readonly cluster: aws.eks.Cluster;
    readonly region: string;
    readonly kubernetesVersion: string;
    /** The version of each add-on (catalog/eks-addons.ts, or the stack's override). */
    readonly versions: Readonly<Record<string, string>>;
    readonly tags: Record<string, string>;
    /** The permissions boundary of the add-ons' Pod Identity roles. */
    readonly permissionsBoundary: string;
}

/**
 * Installs `addonName` at its pinned version; `configurationValues` is the add-on's own
 * configuration (JSON). Default: the add-on's defaults.
 */
export function createAddon(
    name: string,
    addonName: string,
    s: AddonSettings,
    dependsOn: pulumi.Resource[],
    parent: pulumi.Resource,
    configurationValues?: string,
): aws.eks.Addon {
    // Pinned, not looked up with mostRecent: a routine `pulumi up` must not upgrade an add-on unreviewed.
    const version = s.versions[addonName];
    if (version === undefined) throw new Error(`${name}: no version pinned for the ${addonName} add-on`);
    const identity = addonIdentities[addonName];
    const role =
        identity &&
        createPodIdentityTrustedRole(
            `${name}-${addonName}`,
            {
                clusterName: s.cluster.name,
                namespace: identity.namespace,
                serviceAccountName: identity.serviceAccount,
                managedPolicyArns: [awsManagedPolicy(s.region, identity.managedPolicy)],
                tags: s.tags,
                permissionsBoundary: s.permissionsBoundary,
            },
            parent,
        );
    return new aws.eks.Addon(
        `${name}-${addonName}`,
        {
            clusterName: s.cluster.name,
            addonName,
            addonVersion: version,
            podIdentityAssociations: role && identity ? [{ serviceAccount: identity.serviceAccount, roleArn: role.role.arn }] : undefined,
            // The cluster is created without self-managed copies, so there is nothing of ours to preserve.
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "OVERWRITE",
            configurationValues,
            tags: s.tags,
        },
        // With its role's permissions in place, so its pods never start with credentials that cannot do their job.
        { parent, dependsOn: [...dependsOn, ...(role?.permissions ?? [])], customTimeouts: awsTimeouts.eksAddon },
    );
}

/**
 * The add-ons that run as Deployments, so they wait for nodes (`nodeGroups`), or they would never
 * become healthy: CoreDNS, and the EBS CSI driver with its volume permissions bound through Pod Identity.
 */
export function createWorkloadAddons(
    name: string,
    s: AddonSettings,
    nodeGroups: pulumi.Resource[],
    parent: pulumi.Resource,
): Record<string, aws.eks.Addon> {
    const { association } = createPodIdentityRole(
        `${name}-ebs-csi`,
        {
            clusterName: s.cluster.name,
            namespace: "kube-system",
            serviceAccountName: "ebs-csi-controller-sa",
            managedPolicyArns: [awsManagedPolicy(s.region, "service-role/AmazonEBSCSIDriverPolicy")],
            tags: s.tags,
            permissionsBoundary: s.permissionsBoundary,
        },
        parent,
    );
    return {
        coredns: createAddon(name, "coredns", s, nodeGroups, parent),
        // The controller must start with its credentials already bound.
        "aws-ebs-csi-driver": createAddon(name, "aws-ebs-csi-driver", s, [...nodeGroups, association], parent),
    };
}

/** The add-on that runs Container Insights, and the service account its agent runs as. */
export const containerInsightsAddon = "amazon-cloudwatch-observability";
const cloudWatchAgent = { namespace: "amazon-cloudwatch", serviceAccountName: "cloudwatch-agent" };

/**
 * Container Insights: the CloudWatch agent as a DaemonSet, publishing node, pod and cluster metrics
 * (`ContainerInsights` namespace; RegionalAlarms' node CPU alarm reads `node_cpu_utilization`).
 * Its permissions (CloudWatchAgentServerPolicy) are bound through Pod Identity (add-on 3.1.0 and
 * later) to the agent's service account, not to the node role, so other pods cannot publish metrics.
 * Container logs stay off: shipping every pod's stdout to CloudWatch Logs is a separate decision
 * (retention, cost, personal data in logs), so only metrics are collected.
 */
export function createContainerInsightsAddon(
    name: string,
    s: AddonSettings,
    nodeGroups: pulumi.Resource[],
    parent: pulumi.Resource,
): aws.eks.Addon {
    const { association } = createPodIdentityRole(
        `${name}-cloudwatch-agent`,
        {
            clusterName: s.cluster.name,
            namespace: cloudWatchAgent.namespace,
            serviceAccountName: cloudWatchAgent.serviceAccountName,
            managedPolicyArns: [awsManagedPolicy(s.region, "CloudWatchAgentServerPolicy")],
            tags: s.tags,
            permissionsBoundary: s.permissionsBoundary,
        },
        parent,
    );
    // A DaemonSet and an operator Deployment: they wait for nodes, and start with their credentials bound.
    return createAddon(
        name,
        containerInsightsAddon,
        s,
        [...nodeGroups, association],
        parent,
        JSON.stringify({ containerLogs: { enabled: false } }),
    );
}
