import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { partitionOf } from "../../aws/arn";
import { loadBalancerControllerChart } from "../../../catalog/charts";
import { createControllerRelease } from "./controller-chart";
import { loadBalancerControllerPolicy } from "./load-balancer-controller-policy";

export interface LoadBalancerControllerSettings {
    readonly clusterName: pulumi.Input<string>;
    readonly region: string;
    readonly vpcId: pulumi.Input<string>;
    readonly provider: k8s.Provider;
    readonly tags: Record<string, string>;
    /** The controller role's permissions boundary. */
    readonly permissionsBoundary: string;
}

/** Turns Ingresses into ALBs and LoadBalancer Services into NLBs, with its AWS permissions bound through Pod Identity. */
export function createLoadBalancerController(
    name: string,
    s: LoadBalancerControllerSettings,
    parent: pulumi.Resource,
): k8s.helm.v3.Release {
    const c = loadBalancerControllerChart;
    return createControllerRelease(
        `${name}-lb-controller`,
        c,
        {
            clusterName: s.clusterName,
            policyJson: JSON.stringify(loadBalancerControllerPolicy(partitionOf(s.region))),
            values: {
                clusterName: s.clusterName,
                // Given explicitly: with IMDS closed to pods the controller cannot discover them itself.
                region: s.region,
                vpcId: s.vpcId,
                serviceAccount: { create: true, name: c.serviceAccountName },
            },
            provider: s.provider,
            tags: s.tags,
            permissionsBoundary: s.permissionsBoundary,
        },
        parent,
    ).release;
}
