import type * as pulumi from "@pulumi/pulumi";

/**
 * How long the provider may wait for AWS's long operations before failing the deployment. Each
 * value is at least the provider's default (terraform-provider-aws website/docs/r/<resource>
 * "Timeouts") and well above the pessimistic duration the deployment timeline assumes for the
 * operation (automation/plan/durations.ts), so a slow but healthy operation is not abandoned
 * half-done. tests/stacks/timeouts.spec.ts holds them to that.
 *
 * CloudFront distributions have none: the provider waits for "Deployed" with a fixed 90 minutes
 * (internal/service/cloudfront/distribution.go, waitDistributionDeployed) and ignores the option.
 */
export const awsTimeouts = {
    /**
     * Provider defaults 40m / 80m / 60m. The timeline's worst cases: a cross-region read replica
     * 40 min (snapshot, cross-region copy, restore, growing with the source's size), a modification
     * applied immediately 30 min, a Multi-AZ writer 25 min.
     */
    rdsInstance: { create: "120m", update: "120m", delete: "90m" },
    /** Provider defaults 60m / 40m / 45m; the timeline's worst cases: create 20 min, modify 30 min. */
    cacheReplicationGroup: { create: "90m", update: "90m", delete: "60m" },
    /** Provider defaults 30m / 60m / 15m; the timeline's worst cases: create 18 min, version update 30 min. */
    eksCluster: { create: "45m", update: "90m", delete: "30m" },
    /** Provider defaults 60m each; a rolling update replaces nodes one at a time (timeline: 25 min). */
    eksNodeGroup: { create: "60m", update: "120m", delete: "60m" },
    /** Provider defaults 20m / 20m / 40m; an add-on is ACTIVE once its pods run (timeline: 3 min). */
    eksAddon: { create: "30m", update: "30m", delete: "40m" },
} as const satisfies Record<string, pulumi.CustomTimeouts>;
