import type * as k8s from "@pulumi/kubernetes";
import { Provider } from "@pulumi/kubernetes/provider";
import { Namespace } from "@pulumi/kubernetes/core/v1/namespace";
import * as pulumi from "@pulumi/pulumi";
import type { AwsClusterResources } from "./aws";
import { createInClusterArgoRollouts } from "./argo-rollouts";
import type { RegionalClusterArgs, NetworkFacts } from "./types";

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
    /**
     * The Argo Rollouts controller and its CRDs, in every flavour: the canaries' Rollouts and
     * AnalysisTemplates wait for it. On EKS with a Pod Identity role for its CloudWatch analyses.
     */
    public readonly argoRollouts: k8s.helm.v3.Release;

    constructor(name: string, args: RegionalClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:RegionalCluster", name, {}, opts);
        if ((args.existing ? 1 : 0) + (args.aws ? 1 : 0) !== 1) {
            throw new Error(`RegionalCluster ${name}: give exactly one of args.existing or args.aws`);
        }

        if (args.existing) {
            this.flavour = "existing";
            this.provider = new Provider(
                `${name}-k8s`,
                {
                    kubeconfig: args.existing.kubeconfig,
                    context: args.existing.context,
                    // Server-side apply lets other controllers co-own fields (HPA owning replicas).
                    enableServerSideApply: true,
                },
                { parent: this },
            );
            this.argoRollouts = createInClusterArgoRollouts(
                name,
                { provider: this.provider, ingressClassName: args.existing.ingressClassName ?? "nginx" },
                this,
            );
        } else {
            this.flavour = "aws";
            // Loaded only for this flavour: a stack on an existing cluster never loads @pulumi/aws.
            const { createAwsCluster } = require("./aws") as typeof import("./aws");
            this.aws = createAwsCluster(name, args.aws!, this);
            this.provider = this.aws.provider;
            this.network = this.aws.network;
            this.clusterName = this.aws.cluster.name;
            this.endpoint = this.aws.endpoint;
            this.argoRollouts = this.aws.argoRollouts.release;
        }

        const ns = new Namespace(
            `${name}-ns`,
            {
                metadata: {
                    name: args.namespace,
                    labels: {
                        ...args.namespaceLabels,
                        // Pod Security Admission: reject pods that are not restricted-compliant.
                        "pod-security.kubernetes.io/enforce": "restricted",
                        "pod-security.kubernetes.io/enforce-version": "latest",
                    },
                },
            },
            {
                parent: this,
                provider: this.provider,
                // The load balancer controller's webhooks reject Services and Ingresses while it is not yet
                // running; objects in the namespace wait for it through the namespace.
                dependsOn: this.aws ? [this.aws.loadBalancerController] : [],
            },
        );
        this.namespace = ns.metadata.name;

        this.registerOutputs({
            namespace: this.namespace,
            clusterName: this.clusterName,
            vpcId: this.network?.vpcId,
            endpoint: this.endpoint,
        });
    }
}
