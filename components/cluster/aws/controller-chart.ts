import type * as k8s from "@pulumi/kubernetes";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import * as pulumi from "@pulumi/pulumi";
import { createPodIdentityRole } from "../../aws/pod-identity";
import type { ControllerChart } from "../../../catalog/charts";

export interface ControllerReleaseSettings {
    /** The EKS cluster; pass the cluster's own output so the association waits for it. */
    readonly clusterName: pulumi.Input<string>;
    /** The controller's IAM policy document (JSON). */
    readonly policyJson: pulumi.Input<string>;
    /** The chart's values. */
    readonly values: Record<string, unknown>;
    readonly provider: k8s.Provider;
    /** What must exist before the controller starts, besides its role. Default: nothing. */
    readonly dependsOn?: pulumi.Resource[];
    readonly tags: Record<string, string>;
    /** The controller role's permissions boundary. */
    readonly permissionsBoundary: string;
}

/**
 * Installs `chart` as `name` with its AWS permissions bound through Pod Identity: the role and its
 * association first, so the controller's pods never start without credentials that can do their job.
 */
export function createControllerRelease(
    name: string,
    chart: ControllerChart,
    s: ControllerReleaseSettings,
    parent: pulumi.Resource,
): k8s.helm.v3.Release {
    const { association } = createPodIdentityRole(
        name,
        {
            clusterName: s.clusterName,
            namespace: chart.namespace,
            serviceAccountName: chart.serviceAccountName,
            policyJson: s.policyJson,
            tags: s.tags,
            permissionsBoundary: s.permissionsBoundary,
        },
        parent,
    );
    return new Release(
        name,
        {
            name: chart.chart,
            chart: chart.chart,
            version: chart.version,
            repositoryOpts: { repo: chart.repo },
            namespace: chart.namespace,
            values: s.values,
        },
        { parent, provider: s.provider, dependsOn: [...(s.dependsOn ?? []), association] },
    );
}
