import type * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { argoRolloutsChart } from "../../../catalog/charts";
import { policyDocument } from "../../aws/iam";
import { createControllerRelease } from "./controller-chart";

export interface ArgoRolloutsSettings {
    readonly clusterName: pulumi.Input<string>;
    readonly region: string;
    readonly provider: k8s.Provider;
    /** What must run before the controller (its pods need nodes and the Pod Identity agent). */
    readonly dependsOn: pulumi.Resource[];
    readonly tags: Record<string, string>;
    /** The controller role's permissions boundary. */
    readonly permissionsBoundary: pulumi.Input<string>;
}

export interface ArgoRollouts {
    /** The controller and its CRDs (Rollout, AnalysisTemplate, AnalysisRun, Experiment): Rollouts wait for it. */
    readonly release: k8s.helm.v3.Release;
    /** The role the controller's CloudWatch analyses run as. */
    readonly role: aws.iam.Role;
}

/**
 * The one action Argo Rollouts' CloudWatch metric provider calls: "This analysis is required IAM
 * permission for `cloudwatch:GetMetricData`" (argoproj/argo-rollouts v1.9.0 docs/analysis/cloudwatch.md,
 * "Setup"). GetMetricData has no resource-level permissions (Service Authorization Reference,
 * Amazon CloudWatch: no resource type for GetMetricData), so its Resource is "*": it reads metrics
 * and nothing else.
 */
export const cloudWatchAnalysisActions = ["cloudwatch:GetMetricData"];

/**
 * The Argo Rollouts controller in its own namespace, with the CRDs from its chart (values.yaml
 * installCRDs, kept on uninstall: keepCRDs), and a Pod Identity role for its CloudWatch analyses
 * bound to the chart's service account, so the controller never starts without its credentials.
 * The CloudWatch provider also needs `AWS_REGION` in the controller's environment (the same doc);
 * with IMDS closed to pods it could not discover the region itself.
 *
 * No NetworkPolicy selects the controller's namespace: it calls the Kubernetes API, the Pod Identity
 * agent (169.254.170.23) and CloudWatch's regional endpoint on 443, and is called by nobody (its
 * metrics port is not scraped here).
 */
export function createArgoRollouts(name: string, s: ArgoRolloutsSettings, parent: pulumi.Resource): ArgoRollouts {
    const c = argoRolloutsChart;
    return createControllerRelease(
        `${name}-argo-rollouts`,
        c,
        {
            clusterName: s.clusterName,
            policyJson: policyDocument([
                { Sid: "ReadMetricsForAnalysis", Effect: "Allow", Action: cloudWatchAnalysisActions, Resource: "*" },
            ]),
            values: {
                installCRDs: true,
                serviceAccount: { create: true, name: c.serviceAccountName },
                controller: { extraEnv: [{ name: "AWS_REGION", value: s.region }] },
            },
            createNamespace: true,
            provider: s.provider,
            dependsOn: s.dependsOn,
            tags: s.tags,
            permissionsBoundary: s.permissionsBoundary,
        },
        parent,
    );
}
