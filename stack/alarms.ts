import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SaleorCore } from "../components/core";
import type { Storefront } from "../components/storefront";
import type { StackConfig } from "../config";
import { awsOnly } from "./aws";
import type { RegionWithData } from "./data";
import type { AwsRegion } from "./infrastructure";
import { albGroupName } from "./ingress";
import { required, type Topology } from "./topology";

/**
 * A region's alert topic (email and the pager webhook) and its alarms at the production guide's
 * thresholds, on the load balancer the controller made for the region's Ingresses, the databases,
 * the cache and the cluster.
 */
export function createRegionAlarms(
    cfg: StackConfig,
    t: Topology,
    r: RegionWithData,
    region: AwsRegion,
    workloads: [SaleorCore, Storefront],
) {
    const { AlertTopic, RegionalAlarms, lookupIngressLoadBalancer } = awsOnly();
    const name = r.config.name;
    const topic = new AlertTopic(
        `${name}-alerts`,
        {
            region: name,
            subscriptions: {
                email: cfg.operations.alertEmails,
                https: cfg.alertWebhookUrl ? [pulumi.secret(cfg.alertWebhookUrl.value)] : [],
            },
            protect: t.protect,
            // Every AWS region has a vault and may hold the backup plan (it follows the primary role).
            backupJobFailures: true,
            tags: t.tags,
        },
        { providers: [region.provider] },
    );
    const data = required(r.data.aws, `the AWS data tier of region ${name}`);
    const d = required(cfg.data.flavour === "aws" ? cfg.data.aws : undefined, "data.aws");
    const clusterName = required(r.cluster.clusterName, `the EKS cluster of region ${name}`);
    const pg = d.postgres;
    const instanceFacts = (i: aws.rds.Instance) => ({
        identifier: i.identifier,
        instanceClass: pg.instanceClass,
        allocatedStorageGiB: pg.allocatedStorageGiB,
    });
    new RegionalAlarms(
        `${name}-alarms`,
        {
            region: name,
            topicArn: topic.topicArn,
            loadBalancer: lookupIngressLoadBalancer(albGroupName(t), workloads, { clusterName, provider: region.provider }),
            database: {
                writer: data.writer ? instanceFacts(data.writer) : undefined,
                replicas: [
                    ...(data.reader ? [{ ...instanceFacts(data.reader), crossRegion: false }] : []),
                    ...(data.standby ? [{ ...instanceFacts(data.standby), crossRegion: true }] : []),
                ],
            },
            cache: { replicationGroupId: data.cache.replicationGroupId, nodes: d.cache.nodes },
            clusterName,
            logDelivery: region.logs.deliveryMetrics,
            restoreTests: data.restoreTests,
            tags: t.tags,
        },
        { providers: [region.provider] },
    );
}
