import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { AwsDataArgs } from "../types";
import { createServiceSecurityGroup } from "./security-group";
import { awsTimeouts } from "../../aws/timeouts";

const port = 6379;

// UTC, outside the seed's 02:00-04:00 (Central European) deployment window and apart from each other,
// as ElastiCache requires.
const snapshotWindow = "23:30-00:30";
const maintenanceWindow = "sun:04:00-sun:05:00";

/** The Valkey side of one region's data tier: Saleor's cache and Celery broker. */
export interface Cache {
    readonly group: aws.elasticache.ReplicationGroup;
    /** CACHE_URL (database 0), secret. */
    readonly cacheUrl: pulumi.Output<string>;
    /** CELERY_BROKER_URL (database 1), secret. */
    readonly brokerUrl: pulumi.Output<string>;
    /** STOREFRONT_CACHE_URL (database 2): the storefront's shared page cache, secret. */
    readonly pageCacheUrl: pulumi.Output<string>;
}

/** One Valkey replication group per region: caches and task queues stay beside the Core that uses them. */
export function createCache(name: string, args: AwsDataArgs, key: aws.kms.Key, parent: pulumi.Resource): Cache {
    const c = args.cache;
    const opts: pulumi.CustomResourceOptions = { parent };
    const subnetGroup = new aws.elasticache.SubnetGroup(
        `${name}-cache`,
        {
            description: "Saleor Valkey: private subnets only",
            subnetIds: args.network.privateSubnetIds,
            tags: args.tags,
        },
        opts,
    );
    const securityGroup = createServiceSecurityGroup(
        `${name}-cache`,
        {
            vpcId: args.network.vpcId,
            description: `Saleor Valkey: ${port} from the nodes`,
            port,
            nodeSecurityGroupId: args.network.nodeSecurityGroupId,
            tags: args.tags,
        },
        parent,
    );
    // ElastiCache takes 16-128 printable characters without `@`, `"` or `/`; letters and digits
    // also keep the token safe inside redis URLs.
    const token = new random.RandomPassword(`${name}-cache-token`, { length: 64, special: false }, opts).result;

    // The storefront's page cache handlers follow expiry (x) and eviction (e) events, published as
    // keyevent notifications (E); ElastiCache publishes none by default and refuses CONFIG SET, so
    // a parameter group turns them on ("How do I implement Redis keyspace notifications in
    // ElastiCache?", AWS re:Post; @trieb.work/nextjs-turbo-redis-cache README, "Getting started").
    // Eviction stays ElastiCache's default, said here because the group is shared: volatile-lru
    // evicts only keys with a time to live (Django's cache and the page cache set one), never
    // Celery's queues, which have none. Auto-named, so a major upgrade (new family) creates the new
    // group before dropping the old. Not verified here: whether, with applyImmediately false
    // (production), ElastiCache applies a changed parameter group at once or in the maintenance
    // window; until it does the handlers miss those events, and resynchronise hourly.
    const major = c.engineVersion.split(".")[0];
    const parameterGroup = new aws.elasticache.ParameterGroup(
        `${name}-cache`,
        {
            family: `valkey${major}`,
            description: `Saleor Valkey ${major}: keyevent notifications for the storefront's page cache`,
            parameters: [
                { name: "notify-keyspace-events", value: "Exe" },
                { name: "maxmemory-policy", value: "volatile-lru" },
            ],
            tags: args.tags,
        },
        opts,
    );

    const group = new aws.elasticache.ReplicationGroup(
        `${name}-cache`,
        {
            description: "Saleor cache and Celery broker",
            engine: "valkey",
            engineVersion: c.engineVersion,
            nodeType: c.nodeType,
            numCacheClusters: c.nodes,
            port,
            parameterGroupName: parameterGroup.name,
            automaticFailoverEnabled: c.multiAz,
            multiAzEnabled: c.multiAz,
            atRestEncryptionEnabled: true,
            kmsKeyId: key.arn,
            transitEncryptionEnabled: true,
            authToken: pulumi.secret(token),
            subnetGroupName: subnetGroup.name,
            securityGroupIds: [securityGroup.id],
            // Daily snapshots: a week in production, a day elsewhere (enough to restore a broken
            // staging cache, for the price of one node-sized snapshot), so the broker's queued tasks
            // survive a lost group.
            snapshotRetentionLimit: args.protect ? 7 : 1,
            snapshotWindow,
            maintenanceWindow,
            autoMinorVersionUpgrade: true,
            applyImmediately: !args.protect,
            tags: args.tags,
        },
        { parent, protect: args.protect, customTimeouts: awsTimeouts.cacheReplicationGroup },
    );

    const base = pulumi.interpolate`rediss://:${token}@${group.primaryEndpointAddress}:${port}`;
    return {
        group,
        cacheUrl: pulumi.secret(pulumi.interpolate`${base}/0`),
        // Celery refuses a rediss:// broker URL that does not say how to check the server's certificate.
        brokerUrl: pulumi.secret(pulumi.interpolate`${base}/1?ssl_cert_reqs=required`),
        // node-redis verifies a rediss:// server's certificate against Node's roots, which hold the
        // public CA ElastiCache's in-transit encryption certificates chain to.
        pageCacheUrl: pulumi.secret(pulumi.interpolate`${base}/2`),
    };
}
