import * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import { Provider } from "@pulumi/kubernetes/provider";
import * as pulumi from "@pulumi/pulumi";

/**
 * A kubeconfig for an EKS cluster that holds no credential: `aws eks get-token` mints a short-lived
 * token at every use, against the cluster's own region (whatever the caller's default region is).
 */
export function eksKubeconfig(cluster: aws.eks.Cluster, region: string): pulumi.Output<string> {
    return pulumi.all([cluster.name, cluster.endpoint, cluster.certificateAuthority.data]).apply(([clusterName, server, caData]) =>
        JSON.stringify({
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: clusterName, cluster: { server, "certificate-authority-data": caData } }],
            contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
            "current-context": clusterName,
            users: [
                {
                    name: clusterName,
                    user: {
                        exec: {
                            apiVersion: "client.authentication.k8s.io/v1beta1",
                            command: "aws",
                            args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region, "--output", "json"],
                            interactiveMode: "Never",
                        },
                    },
                },
            ],
        }),
    );
}

/**
 * The provider for every Kubernetes object in the new cluster. It waits for `ready` (nodes and
 * add-ons), so nothing is applied into a cluster that cannot run it yet.
 */
export function createEksProvider(
    name: string,
    cluster: aws.eks.Cluster,
    region: string,
    ready: pulumi.Resource[],
    parent: pulumi.Resource,
): k8s.Provider {
    return new Provider(
        `${name}-k8s`,
        {
            kubeconfig: eksKubeconfig(cluster, region),
            // Server-side apply lets other controllers co-own fields (HPA owning replicas).
            enableServerSideApply: true,
        },
        { parent, dependsOn: ready },
    );
}
