import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { partitionOf } from "../../aws/arn";
import { clusterAutoscalerChart } from "../../../catalog/charts";
import { createControllerRelease } from "./controller-chart";

/** An IAM policy document, as the autoscaler's role receives it. */
export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: {
        Sid: string;
        Effect: "Allow";
        Action: string[];
        Resource: string | string[];
        Condition?: Record<string, Record<string, string>>;
    }[];
}

/**
 * What the cluster autoscaler may do in AWS, after kubernetes/autoscaler
 * cluster-autoscaler/cloudprovider/aws/README.md ("Full Cluster Autoscaler Features Policy"):
 * read actions for auto-discovery and node templates, and the two write actions restricted, as that
 * README recommends ("using tag based conditionals") and the EKS user guide's Cluster Autoscaler
 * walkthrough did (its cluster-autoscaler-policy.json), to Auto Scaling groups in this region tagged
 * `k8s.io/cluster-autoscaler/<cluster>` = `owned`. EKS puts that tag (and
 * `k8s.io/cluster-autoscaler/enabled` = `true`) on every managed node group's Auto Scaling group
 * itself (EKS user guide, "Managed node groups": "Amazon EKS tags managed node group resources so
 * that they are configured to use the Kubernetes Cluster Autoscaler"), so the node groups here need
 * no tags of their own, and a role of one cluster cannot resize another cluster's groups.
 */
export function clusterAutoscalerPolicy(clusterName: string, region: string): PolicyDocument {
    const partition = partitionOf(region);
    return {
        Version: "2012-10-17",
        Statement: [
            {
                // Read-only, and granted on "*" as upstream does: these list calls name no single
                // resource to scope them to (auto-discovery filters by tag in the request itself).
                Sid: "DiscoverNodeGroups",
                Effect: "Allow",
                Action: [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                ],
                Resource: "*",
            },
            {
                // Labels and taints of a managed node group, for scaling a group up from zero; only this cluster's groups.
                Sid: "DescribeOwnNodeGroups",
                Effect: "Allow",
                Action: ["eks:DescribeNodegroup"],
                Resource: `arn:${partition}:eks:${region}:*:nodegroup/${clusterName}/*`,
            },
            {
                Sid: "ScaleOwnNodeGroups",
                Effect: "Allow",
                Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: `arn:${partition}:autoscaling:${region}:*:autoScalingGroup:*:autoScalingGroupName/*`,
                Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
            },
        ],
    };
}

export interface ClusterAutoscalerSettings {
    /** The EKS cluster's name; pass the cluster's own output so the association waits for the cluster. */
    readonly clusterName: pulumi.Input<string>;
    readonly region: string;
    /** The cluster's Kubernetes minor; must be the one the pinned autoscaler is built for. */
    readonly kubernetesVersion: string;
    readonly provider: k8s.Provider;
    /** The managed node groups the autoscaler will discover and scale. */
    readonly nodeGroups: pulumi.Resource[];
    readonly tags: Record<string, string>;
    /** The autoscaler role's permissions boundary. */
    readonly permissionsBoundary: string;
}

/**
 * The Kubernetes Cluster Autoscaler: adds nodes when pods cannot be scheduled and removes
 * underused ones, within each managed node group's minSize/maxSize (it only ever changes the
 * desired size, which the node groups leave to it through ignoreChanges). Its AWS permissions are
 * bound through Pod Identity, supported since its AWS SDK update to 1.48.7 (kubernetes/autoscaler#6325).
 */
export function createClusterAutoscaler(name: string, s: ClusterAutoscalerSettings, parent: pulumi.Resource): k8s.helm.v3.Release {
    const c = clusterAutoscalerChart;
    if (s.kubernetesVersion !== c.kubernetesMinor) {
        throw new Error(
            `createClusterAutoscaler ${name}: the pinned cluster-autoscaler ${c.image.tag} (chart ${c.version}) is built for Kubernetes ${c.kubernetesMinor}, ` +
                `the cluster runs ${s.kubernetesVersion}; pin the chart and image of the matching minor in catalog/charts.ts`,
        );
    }
    return createControllerRelease(
        `${name}-cluster-autoscaler`,
        c,
        {
            clusterName: s.clusterName,
            policyJson: pulumi.output(s.clusterName).apply((clusterName) => JSON.stringify(clusterAutoscalerPolicy(clusterName, s.region))),
            values: {
                cloudProvider: "aws",
                // Finds the Auto Scaling groups tagged k8s.io/cluster-autoscaler/enabled and
                // k8s.io/cluster-autoscaler/<this cluster> (the chart's default autoDiscovery.tags).
                autoDiscovery: { clusterName: s.clusterName },
                // Given explicitly: the launch template's IMDS hop limit of 1 keeps pods off instance
                // metadata, so the autoscaler could not look its region up.
                awsRegion: s.region,
                image: { repository: c.image.repository, tag: c.image.tag },
                rbac: { serviceAccount: { create: true, name: c.serviceAccountName } },
                extraArgs: {
                    // Keeps node groups of the same shape at the same size, so that node groups split per
                    // zone (what EBS-backed pods need; cloudprovider/aws/README.md "Common Notes and Gotchas") grow evenly.
                    "balance-similar-node-groups": true,
                    // Of the groups that could take the pending pods, grow the one left with the least idle CPU and memory.
                    expander: "least-waste",
                    // Every Saleor pod mounts an emptyDir (/tmp under a read-only root filesystem); the
                    // default (true) would keep any node running one of them from ever being scaled down.
                    "skip-nodes-with-local-storage": false,
                },
                // The upstream example manifest's figures (cloudprovider/aws/examples/cluster-autoscaler-autodiscover.yaml),
                // ample for node groups of a handful of nodes; memory is not compressible, so its limit equals the request.
                resources: {
                    requests: { cpu: "100m", memory: "600Mi" },
                    limits: { cpu: "500m", memory: "600Mi" },
                },
                // Not root: the chart leaves both security contexts empty. 65534 (nobody) as in the upstream example manifest.
                securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
                containerSecurityContext: {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"] },
                },
            },
            provider: s.provider,
            dependsOn: s.nodeGroups,
            tags: s.tags,
            permissionsBoundary: s.permissionsBoundary,
        },
        parent,
    ).release;
}
