import { permissionsBoundaryArnOf } from "../../automation/plan/fake-cloud";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SaleorCore, type SaleorCoreArgs } from "../../components/core";
import type { NetworkFacts } from "../../components/cluster";
import type { AwsDataArgs, ConnectionFacts } from "../../components/data";
import { environmentDefaults } from "../../config/defaults";

/** Connection facts as a data tier would hand them over. */
export function connectionFacts(media: ConnectionFacts["media"] = { kind: "volume", claimName: pulumi.output("media") }): ConnectionFacts {
    return {
        databaseUrl: pulumi.secret("postgres://saleor:db-password@db:5432/saleor"),
        databaseReplicaUrl: pulumi.secret("postgres://saleor:db-password@replica:5432/saleor"),
        cacheUrl: pulumi.secret("redis://:cache-password@cache:6379/0"),
        brokerUrl: pulumi.secret("redis://:cache-password@cache:6379/1"),
        pageCacheUrl: pulumi.secret("redis://:cache-password@cache:6379/2"),
        media,
        readyAfter: [],
    };
}

const spec = (replicas: number) => ({
    replicas,
    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    autoscaling: { maxReplicas: 5, targetCpuUtilization: 70 },
});

/** SaleorCore with typical Args; `overrides` replace top-level Args. */
export function saleorCore(overrides: Partial<SaleorCoreArgs> = {}, name = "r1-core") {
    const provider = new k8s.Provider(`${name}-k8s`, {});
    return new SaleorCore(
        name,
        {
            namespace: "saleor",
            instance: "test-r1",
            image: "ghcr.io/saleor/saleor:3.23.5",
            dashboardImage: "ghcr.io/saleor/saleor-dashboard:3.23.0",
            hosts: {
                scheme: "https",
                api: "api.example.com",
                dashboard: "dashboard.example.com",
                storefronts: ["de.example.com", "nl.example.com"],
            },
            settings: { debug: false, playground: false, telemetry: false, defaultFromEmail: "noreply@example.com" },
            secrets: { secretKey: pulumi.secret("django-secret-key"), rsaPrivateKey: pulumi.secret("-----BEGIN RSA PRIVATE KEY-----") },
            connection: connectionFacts(),
            workloads: { api: spec(2), worker: spec(2), beat: spec(1), dashboard: spec(1), migration: { resources: spec(1).resources } },
            runMigrations: true,
            ingress: { className: "nginx" },
            ...overrides,
        },
        { providers: [provider] },
    );
}

/** Values planted in fixtures that must never surface in plain text. */
export const plantedSecrets = ["db-password", "cache-password", "django-secret-key", "BEGIN RSA PRIVATE KEY"];

/** A region's network as the cluster hands it to the data tier, with ids named after the region. */
export function networkFacts(region: string, cidr: string): NetworkFacts {
    return {
        vpcId: pulumi.output(`vpc-${region}`),
        vpcCidr: cidr,
        privateSubnetIds: pulumi.output(["a", "b", "c"].map((z) => `subnet-${region}${z}`)),
        nodeSecurityGroupId: pulumi.output(`sg-nodes-${region}`),
        privateRouteTableIds: pulumi.output([`rtb-${region}`]),
    };
}

export const primaryRegion = "eu-central-1";
export const secondaryRegion = "eu-west-1";

/**
 * AwsDataArgs of one region as index.ts builds them, with the sizes of config/defaults.ts for the
 * environment (eu-central-1 primary on 10.10/16, eu-west-1 secondary on 10.20/16).
 */
export function awsDataArgs(env: "production" | "staging", role: "primary" | "secondary", corsOrigins: string[] = []): AwsDataArgs {
    const d = (environmentDefaults(env) as { data: { aws: Pick<AwsDataArgs, "postgres" | "cache" | "media"> } }).data.aws;
    const region = role === "primary" ? primaryRegion : secondaryRegion;
    return {
        region,
        role,
        network: networkFacts(region, role === "primary" ? "10.10.0.0/16" : "10.20.0.0/16"),
        peerCidrs: [role === "primary" ? "10.20.0.0/16" : "10.10.0.0/16"],
        appPassword: pulumi.secret("stack-wide-password"),
        postgres: d.postgres,
        cache: d.cache,
        media: { ...d.media, corsOrigins },
        protect: env === "production",
        workloadIdentity: { namespace: "saleor", serviceAccountName: "saleor-core", clusterName: pulumi.output(`saleor-${region}`) },
        tags: { environment: env },
        permissionsBoundaryArn: permissionsBoundaryArnOf(env),
    };
}
