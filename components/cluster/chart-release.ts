import type * as k8s from "@pulumi/kubernetes";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import type * as pulumi from "@pulumi/pulumi";
import type { ControllerChart } from "../../catalog/charts";

/**
 * A pinned chart of catalog/charts.ts installed as a Helm release named after it, in its namespace
 * (created with it where `createNamespace`). Every cluster controller the program installs goes
 * through here, with AWS credentials (aws/controller-chart.ts) or without.
 */
export function createChartRelease(
    name: string,
    chart: ControllerChart,
    s: { readonly values: Record<string, unknown>; readonly createNamespace?: boolean },
    opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
    return new Release(
        name,
        {
            name: chart.chart,
            chart: chart.chart,
            version: chart.version,
            repositoryOpts: { repo: chart.repo },
            namespace: chart.namespace,
            ...(s.createNamespace ? { createNamespace: true } : {}),
            values: s.values,
        },
        opts,
    );
}
