import * as pulumi from "@pulumi/pulumi";
import { SaleorSecrets } from "../components/secrets";
import type { StackConfig } from "../config";
import { createApplication } from "./application";
import { awsOnly } from "./aws";
import { createDataTiers } from "./data";
import { ImageCatalogue } from "./images";
import { createInfrastructure } from "./infrastructure";
import type { RegionOutputs, StackOutputs } from "./outputs";
import { createPoolerCertificates, withConnectionPooler } from "./pooler";
import { createStackSecrets } from "./secrets";
import { createServices } from "./services";
import { topologyOf } from "./topology";

export type { RegionOutputs, StackOutputs } from "./outputs";

/**
 * The whole stack for a validated config: every region's cluster, connected (AWS), the data tiers
 * (primary first: the secondary replicates it), the services the stack shares (registry, media
 * CDN), then Saleor in each region, primary first. Returns the stack outputs.
 *
 * Failover is a config change (docs/operations.md, "Regional failover"): swap the regions' `role`s. Everything
 * stateful is therefore named and placed by region, never by role: the database instances, media
 * buckets, keys and backup vaults of a region keep their names in either role; the registry and the
 * peering hang off the home region (the first listed), which a failover does not change.
 */
export function buildStack(cfg: StackConfig, stack: string): StackOutputs<pulumi.Output<string>, pulumi.Output<string[]>> {
    const t = topologyOf(cfg, stack);
    const infrastructure = createInfrastructure(cfg, t);
    const secrets = new SaleorSecrets("saleor", { databasePassword: cfg.cluster.flavour === "aws" });
    const regions = createDataTiers(cfg, t, infrastructure, secrets.databasePassword);
    const stackSecrets = createStackSecrets(cfg, t, regions, secrets);
    const { mediaCdn, registry, healthAlerts } = createServices(cfg, t, regions);
    const images = new ImageCatalogue(cfg, t, registry);
    const poolerCertificates = createPoolerCertificates(cfg);

    const outputs: Record<string, RegionOutputs<pulumi.Output<string>, pulumi.Output<string[]>>> = {};
    let primaryMigration: pulumi.Resource | undefined;
    for (const region of regions) {
        const direct = mediaCdn ? awsOnly().withMediaCustomDomain(region.data.connection, mediaCdn.domainName) : region.data.connection;
        // A secondary region writes through its connection pooler (stack/pooler.ts).
        const { connection, pooler } = withConnectionPooler(cfg, t, region, regions, direct, stackSecrets, secrets, poolerCertificates);
        const app = createApplication(cfg, t, {
            region,
            connection,
            pooler,
            secrets,
            stackSecrets,
            images,
            primaryMigration,
            healthAlerts,
        });
        primaryMigration ??= app.migrationJob;
        outputs[region.config.name] = app.outputs;
    }
    return {
        environment: cfg.environment,
        primaryRegion: t.regions[0].name,
        saleorVersion: cfg.saleorVersion,
        // The one API URL of a two-region stack (PUBLIC_URL in every region); each region's own is in its endpoints.
        ...(cfg.operations.apiHost
            ? {
                  publicApi: {
                      api: `${cfg.app.scheme}://${cfg.operations.apiHost}/`,
                      graphql: `${cfg.app.scheme}://${cfg.operations.apiHost}/graphql/`,
                  },
              }
            : {}),
        regions: outputs,
    };
}
