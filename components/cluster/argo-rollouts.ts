import type * as k8s from "@pulumi/kubernetes";
import { createChartRelease } from "./chart-release";
import type * as pulumi from "@pulumi/pulumi";
import { argoRolloutsChart } from "../../catalog/charts";

export interface InClusterArgoRolloutsSettings {
    readonly provider: k8s.Provider;
    /** The class of the Ingresses the Rollouts split with ingress-nginx. */
    readonly ingressClassName: string;
}

/**
 * The Argo Rollouts controller on a cluster the program did not make: the same pinned chart as on
 * EKS (catalog/charts.ts), in its own namespace with its CRDs (values.yaml installCRDs, kept on
 * uninstall: keepCRDs), and no cloud credentials: its analyses are `web` metrics that call the
 * canary Services inside the cluster.
 *
 * The controller only splits Ingresses whose class it is told about, `nginx` by default
 * (argo-rollouts docs/features/traffic-management/nginx.md, "Using Argo Rollouts with custom NGINX
 * ingress controller names"; cmd/rollouts-controller/main.go `--nginx-ingress-classes`): the
 * stack's class is passed explicitly through the chart's `controller.extraArgs` (argo-helm
 * charts/argo-rollouts values.yaml, 2.41.0).
 *
 * No NetworkPolicy selects the controller's namespace: it calls the Kubernetes API and the
 * application's canary Services (which admit it: components/network-policies.ts), and is called
 * by nobody (its metrics port is not scraped here).
 */
export function createInClusterArgoRollouts(name: string, s: InClusterArgoRolloutsSettings, parent: pulumi.Resource): k8s.helm.v3.Release {
    const c = argoRolloutsChart;
    return createChartRelease(
        `${name}-argo-rollouts`,
        c,
        {
            values: {
                installCRDs: true,
                serviceAccount: { create: true, name: c.serviceAccountName },
                controller: { extraArgs: [`--nginx-ingress-classes=${s.ingressClassName}`] },
            },
            createNamespace: true,
        },
        { parent, provider: s.provider },
    );
}
