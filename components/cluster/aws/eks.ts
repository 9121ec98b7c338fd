import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { awsManagedPolicy, partitionOf } from "../../aws/arn";
import { accountOf, createServiceRole } from "../../aws/iam";
import { awsTimeouts } from "../../aws/timeouts";

/** Every control-plane log stream EKS offers: audits and authentication failures are what incidents need. */
export const controlPlaneLogTypes = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export interface ControlPlaneSettings {
    readonly clusterName: string;
    readonly region: string;
    readonly kubernetesVersion: string;
    readonly subnetIds: pulumi.Input<string[]>;
    readonly endpointPublicAccessCidrs: string[];
    /** Networks that reach the private endpoint over a peering; admitted on 443. */
    readonly privateApiAccessCidrs: string[];
    /** The role that deploys the stack (the bootstrap's deploy role of its environment). */
    readonly deployRoleArn: string;
    readonly adminRoleArns: string[];
    readonly logRetentionDays: number;
    /** Protect the cluster and its secrets key from deletion and replacement. */
    readonly protect: boolean;
    readonly tags: Record<string, string>;
    /** The cluster role's permissions boundary. */
    readonly permissionsBoundary: string;
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
    const secretsKey = new aws.kms.Key(
        `${name}-eks-secrets`,
        {
            description: `Envelope encryption of Kubernetes Secrets in EKS cluster ${s.clusterName}`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            tags: s.tags,
        },
        { parent, protect: s.protect },
    );

    const { role, permissions } = createServiceRole(
        `${name}-eks-cluster`,
        {
            service: "eks.amazonaws.com",
            assumeActions: ["sts:AssumeRole", "sts:TagSession"],
            // "Cross-service confused deputy prevention in Amazon EKS" (Amazon EKS User Guide): the
            // cluster role's trust names the cluster's ARN (ArnLike aws:SourceArn) and the account
            // (StringEquals aws:SourceAccount). Built from the name, known before the cluster exists.
            source: {
                arn: pulumi.interpolate`arn:${partitionOf(s.region)}:eks:${s.region}:${accountOf(parent)}:cluster/${s.clusterName}`,
                keys: "required",
            },
            managedPolicyArns: [awsManagedPolicy(s.region, "AmazonEKSClusterPolicy")],
            tags: s.tags,
            permissionsBoundary: s.permissionsBoundary,
        },
        parent,
    );

    // EKS would create this group itself with logs kept forever; owning it sets the retention.
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-eks-logs`,
        {
            name: `/aws/eks/${s.clusterName}/cluster`,
            retentionInDays: s.logRetentionDays,
            tags: s.tags,
        },
        { parent },
    );

    const publicEndpoint = s.endpointPublicAccessCidrs.length > 0;
    const cluster = new aws.eks.Cluster(
        `${name}-eks`,
        {
            // Named up front: the subnets carry the name in their discovery tag before the cluster exists.
            name: s.clusterName,
            version: s.kubernetesVersion,
            roleArn: role.arn,
            // The add-ons are installed as managed add-ons instead, so EKS need not install (and we need not adopt) its own copies.
            bootstrapSelfManagedAddons: false,
            // No creator entry made by EKS: the deploying role gets an entry of ours below, which a later
            // change can revoke. EKS accepts one entry per principal (a second fails with 409
            // ResourceInUseException), and this flag is fixed at creation: UpdateClusterConfig's
            // accessConfig takes only authenticationMode, and the provider marks the field ForceNew
            // (hashicorp/terraform-provider-aws, internal/service/eks/cluster.go; r/eks_cluster
            // access_config), so changing it replaces the cluster.
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
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
        },
        {
            parent,
            dependsOn: [...permissions, logGroup],
            protect: s.protect,
            customTimeouts: awsTimeouts.eksCluster,
            // A cluster created with the flag on (by an earlier version of this program) must not be
            // replaced to turn it off: its creator's entry is removed instead, with
            // `aws eks delete-access-entry --cluster-name <name> --principal-arn <creator role>`,
            // before the update that creates the deploy role's own entry (the same principal: 409).
            ignoreChanges: ["accessConfig.bootstrapClusterCreatorAdminPermissions"],
        },
    );

    // The role deploying the stack (CI's deploy role) must reach the API to deploy the workloads. An
    // access entry takes the IAM role, not the STS session (CreateAccessEntry's principalArn); a deploy
    // as anyone else is told why its Kubernetes calls will be refused.
    const caller = aws.getCallerIdentityOutput({}, { parent });
    aws.iam.getSessionContextOutput({ arn: caller.arn }, { parent }).issuerArn.apply((arn) => {
        if (arn !== s.deployRoleArn && !s.adminRoleArns.includes(arn)) {
            pulumi.log.warn(
                `${name}: deploying as ${arn}, which has no access entry on ${s.clusterName} (the deploy role is ${s.deployRoleArn}); ` +
                    "its Kubernetes requests will be refused",
                parent,
            );
        }
    });
    const principals: { key: string; arn: string }[] = [
        { key: "deployer", arn: s.deployRoleArn },
        // Named by the ARN's digest, so reordering the list replaces nothing.
        ...s.adminRoleArns.map((arn) => ({ key: `admin-${createHash("sha256").update(arn).digest("hex").slice(0, 8)}`, arn })),
    ];
    const duplicated = principals.filter((p, i) => principals.findIndex((q) => q.arn === p.arn) < i).map((p) => p.arn);
    if (duplicated.length > 0) {
        throw new Error(
            `${name}: ${duplicated.join(", ")} would get a second access entry; EKS refuses one principal twice (409 ResourceInUseException)`,
        );
    }
    // A network peered in (the deploy runner's) reaches the private endpoint only if the cluster
    // security group EKS attaches to the endpoint's interfaces admits it. EKS resolves the endpoint's
    // public DNS name to those private addresses when public access is off, so a client in a peered
    // VPC connects with the ordinary kubeconfig (AWS Knowledge Center, "eks-private-cluster-endpoint-vpc").
    for (const cidr of s.privateApiAccessCidrs) {
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-api-from-${cidr.replace(/[./]/g, "-")}`,
            {
                securityGroupId: cluster.vpcConfig.clusterSecurityGroupId,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                cidrIpv4: cidr,
                description: `Kubernetes API from ${cidr}`,
                tags: s.tags,
            },
            { parent },
        );
    }

    const adminAccess = principals.map(({ key, arn: principalArn }) => {
        const entryName = `${name}-${key}`;
        const entry = new aws.eks.AccessEntry(
            entryName,
            {
                clusterName: cluster.name,
                principalArn,
                type: "STANDARD",
                tags: s.tags,
            },
            { parent },
        );
        return new aws.eks.AccessPolicyAssociation(
            entryName,
            {
                clusterName: cluster.name,
                principalArn: entry.principalArn,
                policyArn: `arn:${partitionOf(s.region)}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
                accessScope: { type: "cluster" },
            },
            { parent },
        );
    });

    return { cluster, secretsKey, role, adminAccess };
}
