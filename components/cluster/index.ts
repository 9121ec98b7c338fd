import type * as k8s from "@pulumi/kubernetes";
import { Provider } from "@pulumi/kubernetes/provider";
import { Namespace } from "@pulumi/kubernetes/core/v1/namespace";
import * as pulumi from "@pulumi/pulumi";
import type { AwsClusterResources } from "./aws";

/** An existing cluster reached through the user's kubeconfig (kind, minikube, Docker Desktop, GKE, AKS). */
export interface ExistingClusterArgs {
    /** Path to (or contents of) a kubeconfig. Default: the standard loading rules ($KUBECONFIG, ~/.kube/config). */
    readonly kubeconfig?: string;
    /** Context to use. Default: the kubeconfig's current context. */
    readonly context?: string;
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
    readonly nodeGroups: NodeGroupArgs[];
    /** IAM principals (role ARNs) granted cluster-admin through access entries. Default: none beyond the creator. */
    readonly adminRoleArns?: string[];
    /** Tags on every AWS resource. */
    readonly tags?: Record<string, string>;
    /** EKS cluster name; subnets are tagged with it before the cluster exists. Default: `<project>-<stack>-<component name>`. */
    readonly clusterName?: string;
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
     * How many private route tables there are, known before deployment: a peering needs one route
     * resource per table, and resources cannot be created inside an apply. Set by the aws flavour.
     */
    readonly privateRouteTableCount?: number;
}

/**
 * A Kubernetes cluster for one region and the application namespace in it. The `existing` flavour
 * wraps a cluster the user already has; the `aws` flavour builds VPC + EKS. Either way the
 * application layer receives only `provider` and `namespace`, so it runs on any conformant cluster.
 */
export class RegionalCluster extends pulumi.ComponentResource {
    /** Provider for every Kubernetes object in this region. */
    public readonly provider: k8s.Provider;
    public readonly namespace: pulumi.Output<string>;
    /** "existing" or "aws". */
    public readonly flavour: "existing" | "aws";
    /** Network facts of the aws flavour; undefined for an existing cluster. */
    public readonly network?: NetworkFacts;
    /** The EKS cluster name (aws flavour). */
    public readonly clusterName?: pulumi.Output<string>;
    /** The Kubernetes API server URL (aws flavour). */
    public readonly endpoint?: pulumi.Output<string>;
    /** Everything the aws flavour built, for wiring peering, pod identity and alarms. */
    public readonly aws?: AwsClusterResources;

    constructor(name: string, args: RegionalClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:RegionalCluster", name, {}, opts);
        if ((args.existing ? 1 : 0) + (args.aws ? 1 : 0) !== 1) {
            throw new Error(`RegionalCluster ${name}: give exactly one of args.existing or args.aws`);
        }

        if (args.existing) {
            this.flavour = "existing";
            this.provider = new Provider(`${name}-k8s`, {
                kubeconfig: args.existing.kubeconfig,
                context: args.existing.context,
                // Server-side apply lets other controllers co-own fields (HPA owning replicas).
                enableServerSideApply: true,
            }, { parent: this });
        } else {
            this.flavour = "aws";
            // Loaded only for this flavour: a stack on an existing cluster never loads @pulumi/aws.
            const { createAwsCluster } = require("./aws") as typeof import("./aws");
            this.aws = createAwsCluster(name, args.aws!, this);
            this.provider = this.aws.provider;
            this.network = this.aws.network;
            this.clusterName = this.aws.cluster.name;
            this.endpoint = this.aws.endpoint;
        }

        const ns = new Namespace(`${name}-ns`, {
            metadata: {
                name: args.namespace,
                labels: {
                    ...args.namespaceLabels,
                    // Pod Security Admission: reject pods that are not restricted-compliant.
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/enforce-version": "latest",
                },
            },
        }, {
            parent: this,
            provider: this.provider,
            // The load balancer controller's webhooks reject Services and Ingresses while it is not yet
            // running; objects in the namespace wait for it through the namespace.
            dependsOn: this.aws ? [this.aws.loadBalancerController] : [],
        });
        this.namespace = ns.metadata.name;

        this.registerOutputs({
            namespace: this.namespace,
            clusterName: this.clusterName,
            vpcId: this.network?.vpcId,
            endpoint: this.endpoint,
        });
    }
}
