import type * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { createPodIdentityRole } from "../../aws/pod-identity";
import type { ControllerChart } from "../../../catalog/charts";
import { createChartRelease } from "../chart-release";

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
    readonly permissionsBoundary: pulumi.Input<string>;
    /** Create the chart's namespace with the release (a namespace of its own). Default: false. */
    readonly createNamespace?: boolean;
}

export interface ControllerRelease {
    readonly release: k8s.helm.v3.Release;
    /** The role the controller's service account assumes. */
    readonly role: aws.iam.Role;
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
): ControllerRelease {
    const { role, association } = createPodIdentityRole(
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
    const release = createChartRelease(
        name,
        chart,
        { values: s.values, createNamespace: s.createNamespace },
        { parent, provider: s.provider, dependsOn: [...(s.dependsOn ?? []), association] },
    );
    return { release, role };
}
