import * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AwsClusterArgs, NetworkFacts } from "../types";
import {
    addonConfiguration,
    containerInsightsAddon,
    createAddon,
    createContainerInsightsAddon,
    createWorkloadAddons,
    nodeAddons,
} from "./addons";
import { createArgoRollouts, type ArgoRollouts } from "./argo-rollouts";
import { createClusterAutoscaler } from "./autoscaler";
import { createControlPlane } from "./eks";
import { createExternalSecrets, type ExternalSecrets } from "./external-secrets";
import { createEksProvider } from "./kubeconfig";
import { createLoadBalancerController } from "./load-balancer-controller";
import { createNetwork } from "./network";
import { createNodeGroups } from "./nodes";
import { createDefaultStorageClass } from "./storage";
import { defaultAvailabilityZoneCount } from "../../../catalog/ec2";
import { planSubnets } from "../../../catalog/ipv4";

/** What the EKS flavour builds and hands back to RegionalCluster. */
export interface AwsClusterResources {
    /** Kubernetes provider of the new cluster; usable once nodes and add-ons are up. */
    readonly provider: k8s.Provider;
    readonly network: NetworkFacts;
    readonly cluster: aws.eks.Cluster;
    /** The API server URL. */
    readonly endpoint: pulumi.Output<string>;
    readonly vpc: aws.ec2.Vpc;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    /** Envelope encryption key of Kubernetes Secrets (rotating). */
    readonly secretsKey: aws.kms.Key;
    readonly nodeRole: aws.iam.Role;
    readonly nodeGroups: aws.eks.NodeGroup[];
    /** Managed add-ons by name (vpc-cni, kube-proxy, eks-pod-identity-agent, coredns, aws-ebs-csi-driver; amazon-cloudwatch-observability with `containerInsights`). */
    readonly addons: Record<string, aws.eks.Addon>;
    /** The default StorageClass, "gp3". */
    readonly storageClass: k8s.storage.v1.StorageClass;
    /** Ingresses of class "alb" and LoadBalancer Services need this running. */
    readonly loadBalancerController: k8s.helm.v3.Release;
    /**
     * The Kubernetes Cluster Autoscaler: resizes each managed node group between its minSize and
     * maxSize (nodeGroups) as pods need room; the node groups leave their desired size to it.
     */
    readonly clusterAutoscaler: k8s.helm.v3.Release;
    /** External Secrets Operator and its ClusterSecretStore (with `externalSecrets`). */
    readonly externalSecrets?: ExternalSecrets;
    /** The Argo Rollouts controller and its CRDs: the canary releases of the API and the storefront wait for it. */
    readonly argoRollouts: ArgoRollouts;
}

/**
 * VPC + EKS from plain @pulumi/aws resources, in the order a cluster comes to life: network, control
 * plane, node add-ons (CNI), nodes, add-ons that need nodes, then what runs inside the cluster.
 * Every AWS resource is parented to `parent` and so goes through the AWS provider it was given.
 */
export function createAwsCluster(name: string, args: AwsClusterArgs, parent: pulumi.ComponentResource): AwsClusterResources {
    const clusterName = args.clusterName ?? `${pulumi.getProject()}-${pulumi.getStack()}-${name}`;
    const tags = { ...args.tags };

    const net = createNetwork(
        name,
        {
            vpcCidr: args.vpcCidr,
            zoneCount: args.availabilityZoneCount ?? defaultAvailabilityZoneCount,
            natGateways: args.natGateways,
            clusterName,
            flowLogDestinationArn: args.flowLogDestinationArn,
            tags,
        },
        parent,
    );
    const privateSubnetIds = pulumi.all(net.privateSubnets.map((s) => s.id));

    const { cluster, secretsKey } = createControlPlane(
        name,
        {
            clusterName,
            region: args.region,
            kubernetesVersion: args.kubernetesVersion,
            subnetIds: privateSubnetIds,
            endpointPublicAccessCidrs: args.endpointPublicAccessCidrs ?? [],
            adminRoleArns: args.adminRoleArns ?? [],
            deployRoleArn: args.deployRoleArn,
            privateApiAccessCidrs: args.privateApiAccessCidrs ?? [],
            logRetentionDays: args.logRetentionDays ?? 90,
            protect: args.protect ?? false,
            tags,
            permissionsBoundary: args.permissionsBoundaryArn,
        },
        parent,
    );

    const addonSettings = {
        cluster,
        region: args.region,
        kubernetesVersion: args.kubernetesVersion,
        versions: args.addonVersions,
        tags,
        permissionsBoundary: args.permissionsBoundaryArn,
    };
    const early = Object.fromEntries(
        nodeAddons.map((addon) => [addon, createAddon(name, addon, addonSettings, [], parent, addonConfiguration[addon])]),
    );
    const nodes = createNodeGroups(
        name,
        {
            cluster,
            region: args.region,
            subnetIds: privateSubnetIds,
            groups: args.nodeGroups,
            tags,
            // Nodes pull images and join through NAT; without egress they never register.
            dependsOn: [...Object.values(early), ...net.egressRoutes],
            permissionsBoundary: args.permissionsBoundaryArn,
        },
        parent,
    );
    const late = createWorkloadAddons(name, addonSettings, nodes.groups, parent);
    const observability: Record<string, aws.eks.Addon> = args.containerInsights
        ? { [containerInsightsAddon]: createContainerInsightsAddon(name, addonSettings, nodes.groups, parent) }
        : {};
    const addons = { ...early, ...late, ...observability };

    const provider = createEksProvider(name, cluster, args.region, [...nodes.groups, ...Object.values(addons)], parent);
    const storageClass = createDefaultStorageClass(name, provider, parent);
    const loadBalancerController = createLoadBalancerController(
        name,
        {
            clusterName: cluster.name,
            region: args.region,
            vpcId: net.vpc.id,
            provider,
            tags,
            permissionsBoundary: args.permissionsBoundaryArn,
        },
        parent,
    );
    const clusterAutoscaler = createClusterAutoscaler(
        name,
        {
            clusterName: cluster.name,
            region: args.region,
            kubernetesVersion: args.kubernetesVersion,
            provider,
            nodeGroups: nodes.groups,
            tags,
            permissionsBoundary: args.permissionsBoundaryArn,
        },
        parent,
    );
    const externalSecrets =
        args.externalSecrets &&
        createExternalSecrets(
            name,
            {
                clusterName: cluster.name,
                region: args.region,
                ...args.externalSecrets,
                network: {
                    kubernetesApiCidrs: planSubnets(args.vpcCidr, args.availabilityZoneCount ?? defaultAvailabilityZoneCount).private,
                    privateCidrs: [...new Set([args.vpcCidr, ...(args.externalSecrets.privateCidrs ?? [])])],
                },
                provider,
                // Its pods get credentials from the Pod Identity agent, an add-on that needs nodes.
                dependsOn: [...nodes.groups, ...Object.values(addons)],
                tags,
                permissionsBoundary: args.permissionsBoundaryArn,
            },
            parent,
        );
    const argoRollouts = createArgoRollouts(
        name,
        {
            clusterName: cluster.name,
            region: args.region,
            provider,
            // Its pods get credentials from the Pod Identity agent, an add-on that needs nodes.
            dependsOn: [...nodes.groups, ...Object.values(addons)],
            tags,
            permissionsBoundary: args.permissionsBoundaryArn,
        },
        parent,
    );

    return {
        provider,
        network: {
            vpcId: net.vpc.id,
            vpcCidr: args.vpcCidr,
            privateSubnetIds,
            // The cluster security group: EKS puts managed nodes (and the control plane ENIs) in it.
            nodeSecurityGroupId: cluster.vpcConfig.clusterSecurityGroupId,
            privateRouteTableIds: pulumi.all(net.privateRouteTables.map((t) => t.id)),
            privateRouteTableCount: net.privateRouteTables.length,
            egressPublicIps: pulumi.all(net.natGateways.map((n) => n.publicIp)),
        },
        cluster,
        endpoint: cluster.endpoint,
        vpc: net.vpc,
        publicSubnetIds: pulumi.all(net.publicSubnets.map((s) => s.id)),
        secretsKey,
        nodeRole: nodes.role,
        nodeGroups: nodes.groups,
        addons,
        storageClass,
        loadBalancerController,
        clusterAutoscaler,
        externalSecrets,
        argoRollouts,
    };
}
