import type { ConnectionFacts } from "../components/data";
import { ConnectionPooler, PoolerCertificates, poolerPort, poolerSizing } from "../components/data/pooler";
import { defaultAvailabilityZoneCount } from "../catalog/ec2";
import { planSubnets } from "../catalog/ipv4";
import { postgresMaxConnections } from "../components/observability/database-limits";
import type { SaleorSecrets } from "../components/secrets";
import type { SecretsManagerSecrets } from "../components/secrets/secrets-manager";
import { pgbouncerImage, pgbouncerRunAs } from "../catalog/pooler";
import type { StackConfig } from "../config";
import { awsOnly } from "./aws";
import type { RegionWithData } from "./data";
import { createPoolerPasswordSecret } from "./secrets";
import { instanceOf, required, type Topology } from "./topology";

/** Pooler pods per region: one may be replaced while the other serves (a PodDisruptionBudget keeps one). */
const poolerReplicas = 2;

/**
 * The stack's pooler certificates when a region writes across regions (AWS, more than one region),
 * else undefined. Stack-wide and named for no region: the namespace is the same in every region, so
 * the certificate serves whichever region is secondary and a failover reissues nothing.
 */
export function createPoolerCertificates(cfg: StackConfig): PoolerCertificates | undefined {
    if (cfg.data.flavour !== "aws" || cfg.regions.length < 2) return undefined;
    return new PoolerCertificates("saleor-pooler", { namespace: cfg.cluster.namespace });
}

/**
 * A secondary region's Core reaches the writer through a PgBouncer in its own cluster
 * (components/data/pooler.ts): its DATABASE_URL names the pooler's Service, verified against the
 * pooler's CA, and its CA ConfigMap carries that CA beside the RDS roots. DATABASE_URL_REPLICA (the
 * region's own standby) is unchanged. The primary region, and any stack without certificates, get
 * `connection` back as it is: the migration and database-role Jobs run there and never go through a pooler.
 */
export function withConnectionPooler(
    cfg: StackConfig,
    t: Topology,
    r: RegionWithData,
    regions: RegionWithData[],
    connection: ConnectionFacts,
    stackSecrets: SecretsManagerSecrets | undefined,
    generated: SaleorSecrets,
    certificates: PoolerCertificates | undefined,
): { connection: ConnectionFacts; pooler?: PoolerFacts } {
    if (!certificates || r.config.role === "primary" || cfg.data.flavour !== "aws" || !connection.databaseCa) return { connection };
    const primary = required(
        regions.find((x) => x.config.role === "primary"),
        "the primary region",
    );
    const writer = required(primary.data.aws?.writer, `the writer of region ${primary.config.name}`);
    const instance = instanceOf(t, r.config);
    const passwordSecret = required(
        createPoolerPasswordSecret(r, instance, stackSecrets),
        `the pooler's password Secret in ${r.config.name}`,
    );
    const { postgresUrl, rdsRootCertificates, appRole, databaseName } = awsOnly();
    const maxReplicas = (w: StackConfig["workloads"]["api"]) => w.autoscaling?.maxReplicas ?? w.replicas;
    const pooler = new ConnectionPooler(
        `${r.config.name}-pooler`,
        {
            namespace: r.cluster.namespace,
            instance,
            image: pgbouncerImage,
            runAs: pgbouncerRunAs,
            serverHost: writer.address,
            database: databaseName,
            user: appRole,
            password: passwordSecret,
            // The same roots the data tier's bundle holds: this region's and every other's (the writer's among them).
            serverCaBundle: rdsRootCertificates([r.config.name, ...cfg.regions.filter((x) => x.name !== r.config.name).map((x) => x.name)]),
            certificates,
            caMountPath: connection.databaseCa.mountPath,
            replicas: poolerReplicas,
            sizing: poolerSizing({
                apiProcesses: maxReplicas(cfg.workloads.api) * (cfg.app.apiWorkers ?? 2),
                workerProcesses: maxReplicas(cfg.workloads.worker) * (cfg.app.workerConcurrency ?? 2),
                writerMaxConnections: required(
                    postgresMaxConnections(cfg.data.aws.postgres.instanceClass),
                    `max_connections of ${cfg.data.aws.postgres.instanceClass}`,
                ),
                replicas: poolerReplicas,
            }),
        },
        { providers: [r.cluster.provider], dependsOn: passwordSecret.ready },
    );
    const password = required(generated.databasePassword, "saleor_app's password");
    return {
        connection: {
            ...connection,
            databaseUrl: postgresUrl(password, pooler.host, pooler.caFile),
            databaseCa: pooler.clientCa,
            readyAfter: [...connection.readyAfter, ...pooler.ready],
        },
        pooler: {
            port: poolerPort,
            // The writer's subnets: the private subnets of the primary region's VPC (RegionalCluster's cut, as for Core).
            serverCidrs: planSubnets(
                required(primary.config.vpcCidr, `regions.${primary.config.name}.vpcCidr`),
                defaultAvailabilityZoneCount,
            ).private,
        },
    };
}

/** Where a region's pooler listens and what it connects to, for its NetworkPolicies. */
export interface PoolerFacts {
    readonly port: number;
    readonly serverCidrs: string[];
}
