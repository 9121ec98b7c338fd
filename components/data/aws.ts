import * as pulumi from "@pulumi/pulumi";
import type { AwsDataArgs, ConnectionFacts } from "./index";

/** What the AWS flavour builds and hands back to DataTier. */
export interface AwsDataResources {
    readonly connection: ConnectionFacts;
}

export function createAwsData(name: string, _args: AwsDataArgs, _parent: pulumi.ComponentResource): AwsDataResources {
    throw new Error(`DataTier ${name}: the aws flavour is not built yet`);
}
