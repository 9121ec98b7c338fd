import type * as pulumi from "@pulumi/pulumi";
import type { ConnectionFacts } from "../components/data";
import { appLabels } from "../components/kubernetes/workload";
import type { SaleorSecrets } from "../components/secrets";
import type { SecretsManagerSecrets } from "../components/secrets/secrets-manager";
import { SyncedSecret } from "../components/secrets/synced-secret";
import type { StackConfig } from "../config";
import { awsOnly } from "./aws";
import type { RegionWithData } from "./data";
import { required, type Topology } from "./topology";

/**
 * Where each secret setting of Core lives on AWS: Secrets Manager, one secret per concern, named
 * `saleor/<stack>/<concern>` (docs/configuration.md, "Secrets"). The stack-wide ones (SECRET_KEY,
 * the JWT key, and saleor:sentryDsn / saleor:emailUrl when set) live in the home region, the first
 * listed, with a replica in every other region: a failover swaps roles, not the list, so it moves
 * no secret. A region's connection settings (database, cache, its SES mail) differ per region and
 * live in that region. Each is encrypted with its region's data key (the data tier's KMS key).
 */
export function createStackSecrets(
    cfg: StackConfig,
    t: Topology,
    regions: RegionWithData[],
    generated: SaleorSecrets,
): SecretsManagerSecrets | undefined {
    const home = regions.find((r) => r.config.name === t.home.name);
    if (!home?.aws || !home.data.aws) return undefined;
    const secrets: Record<string, { values: Record<string, pulumi.Input<string>> }> = {
        "secret-key": { values: { SECRET_KEY: generated.secretKey } },
        "jwt-key": { values: { RSA_PRIVATE_KEY: generated.rsaPrivateKey } },
    };
    // saleor_app's password, for the database-role Job: Core reads it only inside its URLs.
    if (generated.databasePassword) secrets[databaseConcern] = { values: { DATABASE_APP_PASSWORD: generated.databasePassword } };
    // The storefront's revalidation secrets (its own Secret reads them, not Core's).
    secrets[storefrontConcern] = {
        values: { SALEOR_WEBHOOK_SECRET: generated.storefront.webhookSecret, REVALIDATE_SECRET: generated.storefront.revalidateSecret },
    };
    if (cfg.sentryDsn) secrets.sentry = { values: { SENTRY_DSN: cfg.sentryDsn.value } };
    if (cfg.emailUrl) secrets.email = { values: { EMAIL_URL: cfg.emailUrl.value } };
    return new (awsOnly().SecretsManagerSecrets)(
        "saleor-secrets",
        {
            stack: t.stack,
            secrets,
            kmsKeyArn: home.data.aws.keys.data.arn,
            replicas: regions
                .filter((r) => r !== home)
                .map((r) => ({
                    region: r.config.name,
                    kmsKeyArn: required(r.data.aws, `the AWS data tier of region ${r.config.name}`).keys.data.arn,
                })),
            protect: t.protect,
            tags: t.tags,
        },
        { providers: [home.aws.provider] },
    );
}

/** The region's own secret settings in Secrets Manager: its database and cache URLs, and its SES mail. */
export function createRegionSecrets(
    t: Topology,
    r: RegionWithData,
    connection: ConnectionFacts,
    regionEmailUrl: pulumi.Input<string> | undefined,
): SecretsManagerSecrets | undefined {
    if (!r.aws || !r.data.aws) return undefined;
    const region = r.config.name;
    const eso = r.cluster.aws?.externalSecrets;
    const secrets: Record<string, { values: Record<string, pulumi.Input<string>> }> = {
        [`${region}/database`]: {
            values: { DATABASE_URL: connection.databaseUrl, DATABASE_URL_REPLICA: connection.databaseReplicaUrl },
        },
        // Without CELERY_BROKER_URL Celery runs tasks eagerly inside the API process.
        [`${region}/cache`]: { values: { CACHE_URL: connection.cacheUrl, CELERY_BROKER_URL: connection.brokerUrl } },
        // The storefront's page cache in the region's Valkey (its own Secret reads it, not Core's).
        [`${region}/${storefrontConcern}`]: { values: { STOREFRONT_CACHE_URL: connection.pageCacheUrl } },
    };
    if (regionEmailUrl) secrets[`${region}/email`] = { values: { EMAIL_URL: regionEmailUrl } };
    return new (awsOnly().SecretsManagerSecrets)(
        `${region}-secrets`,
        {
            stack: t.stack,
            secrets,
            kmsKeyArn: r.data.aws.keys.data.arn,
            // The region's External Secrets Operator reads these and the replicas of the stack-wide
            // ones, all under this region's data key.
            readers: eso ? { [`${region}-external-secrets`]: eso.role } : {},
            region,
            protect: t.protect,
            tags: t.tags,
        },
        { providers: [r.aws.provider] },
    );
}

/** The stack-wide secret with saleor_app's password (`saleor/<stack>/database`): the database-role Job's, not Core's. */
const databaseConcern = "database";

/** The storefront's secrets: stack-wide `saleor/<stack>/storefront` and the region's `saleor/<stack>/<region>/storefront`. */
const storefrontConcern = "storefront";

/** The Kubernetes Secret Core reads on AWS, kept by External Secrets Operator. */
export const coreSecretName = "saleor-core-env";

/**
 * The Secrets the region's workloads read on AWS, synced by External Secrets Operator from the
 * stack-wide secrets (the region's replicas) and the region's own. `core`: every setting of Core's,
 * the same variable names Core's Secret holds elsewhere (components/core/env.ts coreSecretData).
 * `storefront` (components/storefront.ts, storefrontSecretKeys): the stack-wide revalidation
 * secrets and the region's page cache URL, which Core's leaves out. Undefined off AWS: dev's Core
 * and storefront write their own Secrets.
 */
export function createAppSyncedSecrets(
    r: RegionWithData,
    instance: string,
    stackSecrets: SecretsManagerSecrets | undefined,
    regionSecrets: SecretsManagerSecrets | undefined,
): { readonly core: SyncedSecret; readonly storefront: SyncedSecret } | undefined {
    const eso = r.cluster.aws?.externalSecrets;
    if (!eso || !stackSecrets || !regionSecrets) return undefined;
    const storefront: Concern[] = [
        [stackSecrets, storefrontConcern],
        [regionSecrets, `${r.config.name}/${storefrontConcern}`],
    ];
    // Every secret but saleor_app's bare password (Core has it inside DATABASE_URL) and the storefront's.
    const core = ([stackSecrets, regionSecrets] as const).flatMap((s) =>
        Object.keys(s.names)
            .filter((c) => !(s === stackSecrets && c === databaseConcern) && !storefront.some(([t, d]) => t === s && d === c))
            .map((c): Concern => [s, c]),
    );
    const target = (component: string, secretName: string) => ({
        name: `${r.config.name}-${component}-secrets`,
        secretName,
        component,
        instance,
    });
    return {
        core: syncConcerns(r, eso, target("core", coreSecretName), core),
        storefront: syncConcerns(r, eso, target("storefront", storefrontSecretName), storefront),
    };
}

/** The Kubernetes Secret the storefront reads on AWS, kept by External Secrets Operator. */
export const storefrontSecretName = "saleor-storefront-env";

/** The Kubernetes Secret the database-role Job reads: the master credentials and saleor_app's password. */
export const databaseRoleSecretName = "saleor-database-role";

/**
 * What the primary region's database-role Job reads (AWS): the writer's master credentials from the
 * secret RDS keeps them in (`username`, `password`; its ARN, as RDS names it `rds!db-…`, outside the
 * stack's names) and saleor_app's password from `saleor/<stack>/database`, synced by External
 * Secrets into one Secret. The controller's role may read exactly that master secret besides the
 * stack's own. Undefined off AWS, and in a region without the writer.
 */
export function createDatabaseRoleSecret(
    r: RegionWithData,
    instance: string,
    stackSecrets: SecretsManagerSecrets | undefined,
): { secretName: pulumi.Output<string>; version: pulumi.Output<string>; ready: pulumi.Resource[] } | undefined {
    const eso = r.cluster.aws?.externalSecrets;
    const admin = r.data.connection.databaseAdmin;
    if (!eso || !admin || !stackSecrets?.names[databaseConcern] || !r.aws) return undefined;
    const grant = awsOnly().createSecretReadGrant(
        `${r.config.name}-external-secrets-master-secret`,
        { role: eso.role, secretArn: admin.masterSecretArn, sid: "ReadTheDatabaseMasterSecret" },
        { provider: r.aws.provider },
    );
    const synced = new SyncedSecret(
        `${r.config.name}-database-role-secrets`,
        {
            namespace: r.cluster.namespace,
            secretName: databaseRoleSecretName,
            storeName: eso.storeName,
            remoteSecrets: [admin.masterSecretArn, stackSecrets.names[databaseConcern]],
            // RDS rotates the master password on its own; the ARN stands for it here.
            versions: [admin.masterSecretArn, stackSecrets.versions[databaseConcern]],
            // A rotation (every 7 days) invalidates the old password at once, and nothing tells
            // Pulumi: re-read every minute (about 43,000 GetSecretValue calls a month, a few cents), so a
            // Job that started with the old one gets the new one on its next try.
            refreshInterval: "1m",
            labels: appLabels("database-role", instance),
        },
        { providers: [r.cluster.provider], dependsOn: [eso.store, stackSecrets, grant] },
    );
    return { secretName: synced.secretName, version: synced.version, ready: [synced] };
}

/** The Kubernetes Secret the connection pooler reads saleor_app's password from (`DATABASE_APP_PASSWORD`). */
export const poolerPasswordSecretName = "saleor-pooler-auth";

/**
 * saleor_app's password for a secondary region's connection pooler (AWS): the stack-wide
 * `saleor/<stack>/database`, read from this region's replica and synced by External Secrets into
 * its own Secret, so the pooler's pods see that one value and nothing else of Core's. Undefined off AWS.
 */
export function createPoolerPasswordSecret(
    r: RegionWithData,
    instance: string,
    stackSecrets: SecretsManagerSecrets | undefined,
): { secretName: pulumi.Output<string>; key: string; version: pulumi.Output<string>; ready: pulumi.Resource[] } | undefined {
    const eso = r.cluster.aws?.externalSecrets;
    if (!eso || !stackSecrets?.names[databaseConcern]) return undefined;
    const synced = syncConcerns(
        r,
        eso,
        { name: `${r.config.name}-pooler-secrets`, secretName: poolerPasswordSecretName, component: "pooler", instance },
        [[stackSecrets, databaseConcern]],
    );
    return { secretName: synced.secretName, key: "DATABASE_APP_PASSWORD", version: synced.version, ready: [synced] };
}

/** One concern of one set of Secrets Manager secrets. */
type Concern = readonly [SecretsManagerSecrets, string];

/**
 * A Kubernetes Secret of the region's namespace, kept by External Secrets Operator from `concerns`
 * (their JSON keys, later ones winning on a clash), labelled as `component`'s.
 */
function syncConcerns(
    r: RegionWithData,
    eso: { readonly storeName: pulumi.Input<string>; readonly store: pulumi.Resource },
    target: { readonly name: string; readonly secretName: string; readonly component: string; readonly instance: string },
    concerns: Concern[],
): SyncedSecret {
    return new SyncedSecret(
        target.name,
        {
            namespace: r.cluster.namespace,
            secretName: target.secretName,
            storeName: eso.storeName,
            remoteSecrets: concerns.map(([s, c]) => s.names[c]),
            versions: concerns.map(([s, c]) => s.versions[c]),
            labels: appLabels(target.component, target.instance),
        },
        { providers: [r.cluster.provider], dependsOn: [eso.store, ...new Set(concerns.map(([s]) => s))] },
    );
}
