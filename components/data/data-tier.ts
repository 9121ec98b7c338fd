import * as pulumi from "@pulumi/pulumi";
import type { AwsDataResources } from "./aws";
import { createInClusterData } from "./in-cluster";
import type { ConnectionFacts, DataTierArgs } from "./types";

/**
 * The stateful services Saleor needs in one region. The `in-cluster` flavour runs them as
 * StatefulSets (dev); the `aws` flavour uses RDS, ElastiCache and S3. Both hand back the same
 * `ConnectionFacts`, so SaleorCore does not know which it got.
 */
export class DataTier extends pulumi.ComponentResource {
    public readonly connection: ConnectionFacts;
    public readonly flavour: "in-cluster" | "aws";
    /** Everything the aws flavour built (writer, replicas, cache, bucket, roles). */
    public readonly aws?: AwsDataResources;

    constructor(name: string, args: DataTierArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:DataTier", name, {}, opts);
        if ((args.inCluster ? 1 : 0) + (args.aws ? 1 : 0) !== 1) {
            throw new Error(`DataTier ${name}: give exactly one of args.inCluster or args.aws`);
        }
        if (args.inCluster) {
            this.flavour = "in-cluster";
            this.connection = createInClusterData(name, args.inCluster, this);
        } else {
            this.flavour = "aws";
            // Loaded only for this flavour: a stack on an existing cluster never loads @pulumi/aws.
            const { createAwsData } = require("./aws") as typeof import("./aws");
            this.aws = createAwsData(name, args.aws!, this);
            this.connection = this.aws.connection;
        }
        this.registerOutputs({
            databaseUrl: this.connection.databaseUrl,
            databaseReplicaUrl: this.connection.databaseReplicaUrl,
            cacheUrl: this.connection.cacheUrl,
            brokerUrl: this.connection.brokerUrl,
        });
    }
}
