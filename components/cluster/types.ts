import type * as pulumi from "@pulumi/pulumi";

// The cluster's argument and fact types, apart from RegionalCluster so that the aws flavour, peering
// and the data tier can name them without importing the component that loads them (an import cycle).

/** An existing cluster reached through the user's kubeconfig (kind, minikube, Docker Desktop, GKE, AKS). */
export interface ExistingClusterArgs {
    /** Path to (or contents of) a kubeconfig. Default: the standard loading rules ($KUBECONFIG, ~/.kube/config). */
    readonly kubeconfig?: string;
    /** Context to use. Default: the kubeconfig's current context. */
    readonly context?: string;
    /** The class of the cluster's ingress-nginx, whose Ingresses the Argo Rollouts controller splits. Default: "nginx". */
    readonly ingressClassName?: string;
}

/** A managed node group of the EKS flavour. */
export interface NodeGroupArgs {
    readonly name: string;
    /** EC2 instance types, first preferred. */
    readonly instanceTypes: string[];
    readonly minSize: number;
    readonly desiredSize: number;
    readonly maxSize: number;
    /** Root volume size in GiB. */
    readonly diskSizeGiB: number;
}

/** EKS in its own VPC, built from plain @pulumi/aws resources. The AWS provider comes from `opts.providers.aws`. */
export interface AwsClusterArgs {
    /** The region this cluster lives in; must be the region of the AWS provider passed in options. */
    readonly region: string;
    /** Kubernetes minor version, e.g. "1.34". */
    readonly kubernetesVersion: string;
    /** VPC range; must not overlap a peered region's. */
    readonly vpcCidr: string;
    /** Availability zones to span. Default: 3. */
    readonly availabilityZoneCount?: number;
    /** One NAT gateway for the VPC ("single", cheaper) or one per zone ("perAz", survives a zone loss). */
    readonly natGateways: "single" | "perAz";
    /** CIDRs allowed on the public API endpoint. Default: none (private endpoint only). */
    readonly endpointPublicAccessCidrs?: string[];
    /**
     * Networks outside the VPC that reach the private API endpoint over a peering (the deploy
     * runner's): admitted on port 443 by the cluster security group. Default: none.
     */
    readonly privateApiAccessCidrs?: string[];
    readonly nodeGroups: NodeGroupArgs[];
    /** Further IAM roles granted cluster-admin through access entries (operators). Default: none beyond `deployRoleArn`. */
    readonly adminRoleArns?: string[];
    /**
     * The IAM role that deploys the stack (CI's deploy role, from the bootstrap): it gets its own
     * cluster-admin access entry, so it must not be in `adminRoleArns`.
     */
    readonly deployRoleArn: string;
    /**
     * The permissions boundary of every IAM role the cluster creates (cluster, nodes, add-ons,
     * controllers): the bootstrap's workload boundary of the stack's environment.
     */
    readonly permissionsBoundaryArn: string;
    /** The version of every EKS add-on the cluster runs (vpc-cni, kube-proxy, coredns, ...), e.g. "v1.20.4-eksbuild.1". */
    readonly addonVersions: Readonly<Record<string, string>>;
    /** Tags on every AWS resource. */
    readonly tags?: Record<string, string>;
    /** EKS cluster name; subnets are tagged with it before the cluster exists. Default: `<project>-<stack>-<component name>`. */
    readonly clusterName?: string;
    /** S3 ARN (with a key prefix) the VPC's flow logs go to, e.g. RegionalLogs' `flowLogDestinationArn`. Default: no flow log. */
    readonly flowLogDestinationArn?: pulumi.Input<string>;
    /** Days the control-plane logs are kept in CloudWatch. Default: 90. */
    readonly logRetentionDays?: number;
    /**
     * Protect the EKS cluster and its secrets key from deletion and replacement (production).
     * Node groups stay unprotected: replacing them is a routine change. Default: false.
     */
    readonly protect?: boolean;
    /**
     * Install the amazon-cloudwatch-observability add-on (Container Insights metrics, no container
     * logs), which RegionalAlarms' node CPU alarm reads. Default: false.
     */
    readonly containerInsights?: boolean;
    /**
     * Install External Secrets Operator with read access to the Secrets Manager secrets named
     * `secretNamePrefix*` in this region, and a ClusterSecretStore the given namespaces may use.
     * `privateCidrs`: the other networks its controller must not reach on 443 besides this VPC (the
     * peered VPCs of the stack's other regions). Default: none.
     */
    readonly externalSecrets?: { readonly secretNamePrefix: string; readonly namespaces: string[]; readonly privateCidrs?: string[] };
}

export interface RegionalClusterArgs {
    /** Namespace created for the application. */
    readonly namespace: string;
    /** Labels on the namespace. Default: none. */
    readonly namespaceLabels?: Record<string, string>;
    /** Exactly one of `existing` or `aws` selects the flavour. */
    readonly existing?: ExistingClusterArgs;
    readonly aws?: AwsClusterArgs;
}

/** What the data tier needs to place managed services beside the cluster (aws flavour only). */
export interface NetworkFacts {
    readonly vpcId: pulumi.Output<string>;
    readonly vpcCidr: string;
    readonly privateSubnetIds: pulumi.Output<string[]>;
    /** Security group of the worker nodes: managed services admit traffic from it only. */
    readonly nodeSecurityGroupId: pulumi.Output<string>;
    /** Route tables of the private subnets (for peering routes). */
    readonly privateRouteTableIds: pulumi.Output<string[]>;
    /**
     * Public addresses the cluster's pods reach the internet from (the NAT gateways'): what our own
     * servers look like to the region's public endpoints. Set by the aws flavour.
     */
    readonly egressPublicIps?: pulumi.Output<string[]>;
    /**
     * How many private route tables there are, known before deployment: a peering needs one route
     * resource per table, and resources cannot be created inside an apply. Set by the aws flavour.
     */
    readonly privateRouteTableCount?: number;
}
