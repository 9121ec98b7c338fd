import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsManagedPolicy } from "../../aws/arn";
import { createServiceRole } from "../../aws/iam";
import type { NodeGroupArgs } from "../types";
import { isArmInstanceType } from "../../../catalog/ec2";
import { awsTimeouts } from "../../aws/timeouts";

/**
 * What every node needs from IAM: join the cluster, pull images from ECR. The VPC CNI's policy is on
 * the CNI's own Pod Identity role (addons.ts, addonIdentities), not here, where every pod on the node
 * could reach it ("Amazon EKS node IAM role", Amazon EKS User Guide).
 */
export const workerNodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"];

export interface NodeSettings {
    readonly cluster: aws.eks.Cluster;
    readonly region: string;
    readonly subnetIds: pulumi.Input<string[]>;
    readonly groups: NodeGroupArgs[];
    readonly tags: Record<string, string>;
    /** Add-ons a node needs before it can become Ready (the CNI). */
    readonly dependsOn: pulumi.Resource[];
    /** The node role's permissions boundary. */
    readonly permissionsBoundary: string;
}

export interface Nodes {
    readonly role: aws.iam.Role;
    readonly groups: aws.eks.NodeGroup[];
}

export function createNodeGroups(name: string, s: NodeSettings, parent: pulumi.Resource): Nodes {
    const { role, permissions } = createServiceRole(
        `${name}-nodes`,
        {
            service: "ec2.amazonaws.com",
            // AWS's node role trust ("Amazon EKS node IAM role", Amazon EKS User Guide) has no
            // condition, and EC2 documents no source keys for an instance profile's role: the account
            // is checked only if EC2 names one (the default "if-present"), so nodes are never locked out.
            managedPolicyArns: workerNodePolicies.map((p) => awsManagedPolicy(s.region, p)),
            tags: s.tags,
            permissionsBoundary: s.permissionsBoundary,
        },
        parent,
    );

    const groups = s.groups.map((g) => {
        const groupName = `${name}-ng-${g.name}`;
        const template = new aws.ec2.LaunchTemplate(
            groupName,
            {
                description: `Nodes of ${groupName}: IMDSv2 only, encrypted gp3 root volume`,
                metadataOptions: {
                    httpEndpoint: "enabled",
                    httpTokens: "required",
                    // One hop keeps pods (one network hop further) away from the node role's credentials;
                    // workloads get theirs from Pod Identity, and the controllers here are told region and VPC.
                    httpPutResponseHopLimit: 1,
                },
                blockDeviceMappings: [
                    {
                        // Root device of the EKS-optimised Amazon Linux 2023 AMIs.
                        deviceName: "/dev/xvda",
                        ebs: { volumeSize: g.diskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
                    },
                ],
                tagSpecifications: ["instance", "volume"].map((resourceType) => ({ resourceType, tags: { ...s.tags, Name: groupName } })),
                updateDefaultVersion: true,
                tags: s.tags,
            },
            { parent },
        );

        return new aws.eks.NodeGroup(
            groupName,
            {
                clusterName: s.cluster.name,
                nodeRoleArn: role.arn,
                subnetIds: s.subnetIds,
                amiType: amiTypeFor(g.instanceTypes),
                instanceTypes: g.instanceTypes,
                scalingConfig: { minSize: g.minSize, desiredSize: g.desiredSize, maxSize: g.maxSize },
                updateConfig: { maxUnavailable: 1 },
                // A new template version rolls the nodes.
                launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
                tags: s.tags,
            },
            {
                parent,
                customTimeouts: awsTimeouts.eksNodeGroup,
                dependsOn: [...permissions, ...s.dependsOn],
                // The cluster autoscaler owns the current size; Pulumi owns only the bounds.
                ignoreChanges: ["scalingConfig.desiredSize"],
            },
        );
    });
    return { role, groups };
}

/** Graviton instance families (m7g, c6gn, t4g, r8gd ...) need the ARM image; the rest take x86-64. */
export function amiTypeFor(instanceTypes: string[]): string {
    const arm = instanceTypes.map(isArmInstanceType);
    if (arm.some((a) => a !== arm[0]))
        throw new Error(`node group mixes ARM and x86 instance types (${instanceTypes.join(", ")}); one group runs one AMI`);
    return arm[0] ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}
