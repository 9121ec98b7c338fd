import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AwsClusterArgs, NetworkFacts } from "./index";

/** What the EKS flavour builds and hands back to RegionalCluster. */
export interface AwsClusterResources {
    readonly provider: k8s.Provider;
    readonly network: NetworkFacts;
    readonly cluster: { readonly name: pulumi.Output<string> };
}

export function createAwsCluster(name: string, _args: AwsClusterArgs, _parent: pulumi.ComponentResource): AwsClusterResources {
    throw new Error(`RegionalCluster ${name}: the aws flavour is not built yet`);
}
