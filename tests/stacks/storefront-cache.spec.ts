import assert from "node:assert/strict";
import { isSecret, Resources, reveal, type RecordedResource } from "../support/harness";
import { evaluated } from "../support/plans";

// The storefront's shared page cache and its revalidation route, as every stack's plan wires them:
// where each storefront pod finds its cache (the region's own Valkey, database 2) and the secrets
// its revalidation webhook is checked with, that the cache server publishes the events the cache
// handlers follow, and that the network lets the storefront reach the cache and nothing more.

const T = {
    secret: "aws:secretsmanager/secret:Secret",
    version: "aws:secretsmanager/secretVersion:SecretVersion",
    replicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
    parameterGroup: "aws:elasticache/parameterGroup:ParameterGroup",
    externalSecret: "kubernetes:external-secrets.io/v1:ExternalSecret",
    k8sSecret: "kubernetes:core/v1:Secret",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
} as const;

const regionsOf = { dev: ["local"], staging: ["eu-central-1", "eu-west-1"], production: ["eu-central-1", "eu-west-1"] } as const;
/** The regions' VPCs in the stack files (`vpcCidr`). */
const vpcPrefix = {
    staging: { "eu-central-1": "10.30.", "eu-west-1": "10.40." },
    production: { "eu-central-1": "10.10.", "eu-west-1": "10.20." },
} as const;
const inputs = (r: RecordedResource) => r.inputs as any;
const storefrontContainer = (res: Resources, region: string) =>
    inputs(res.workload(`${region}-storefront`)).spec.template.spec.containers[0];
const envNamed = (container: any, name: string) => (container.env ?? []).find((e: any) => e.name === name);
const keys = ["STOREFRONT_CACHE_URL", "SALEOR_WEBHOOK_SECRET", "REVALIDATE_SECRET"];

/** The JSON a Secrets Manager secret holds, by its name. */
function secretValues(res: Resources, name: string): Record<string, string> {
    const secret = res.ofType(T.secret).find((s) => inputs(s).name === name);
    assert.ok(secret, `a Secrets Manager secret ${name}`);
    const version = res.ofType(T.version).find((v) => v.dependencies.includes(secret.urn));
    assert.ok(version, `${name} has a value`);
    assert.ok(isSecret(inputs(version).secretString), `${name}'s value is a Pulumi secret`);
    return JSON.parse(reveal<string>(inputs(version).secretString));
}

for (const stack of ["dev", "staging", "production"] as const) {
    const onAws = stack !== "dev";
    describe(`${stack} stack: the storefront's shared page cache and revalidation`, () => {
        let res: Resources;
        before(async () => {
            res = new Resources((await evaluated(stack)).resources);
        });

        it("gives every storefront pod its page cache URL and revalidation secrets from a Secret, never as plain values", () => {
            for (const region of regionsOf[stack]) {
                const container = storefrontContainer(res, region);
                const names = keys.map((k) => envNamed(container, k)?.valueFrom?.secretKeyRef?.name);
                for (const [i, k] of keys.entries()) {
                    assert.ok(names[i], `${region}: ${k} comes from a Secret`);
                    assert.equal(envNamed(container, k).value, undefined, `${region}: ${k} has no plain value`);
                }
                assert.equal(new Set(names).size, 1, `${region}: one Secret holds them`);
                if (onAws) assert.equal(names[0], "saleor-storefront-env", `${region}: the Secret External Secrets keeps`);
            }
        });

        if (!onAws) {
            it("points the storefront at database 2 of the in-cluster Valkey, which publishes expiry and eviction events", () => {
                const secret = res.ofType(T.k8sSecret).find((s) => s.name === "local-storefront-env");
                assert.ok(secret, "the storefront's own Secret");
                const data = inputs(secret).stringData;
                assert.ok(isSecret(data) || isSecret(data.STOREFRONT_CACHE_URL), "the Secret's values are Pulumi secrets");
                const values = reveal<Record<string, string>>(data);
                assert.match(values.STOREFRONT_CACHE_URL, /^redis:\/\/:[^@]+@saleor-valkey\.[a-z0-9-]+\.svc\.cluster\.local:6379\/2$/);
                const core = reveal<Record<string, string>>(
                    inputs(res.ofType(T.k8sSecret).find((s) => s.name === "local-core-env")!).stringData,
                );
                assert.equal(
                    values.STOREFRONT_CACHE_URL.replace(/\/2$/, "/0"),
                    core.CACHE_URL,
                    "the same server as Core's cache, another database",
                );
                for (const k of ["SALEOR_WEBHOOK_SECRET", "REVALIDATE_SECRET"])
                    assert.ok(values[k].length >= 32, `${k} has at least 32 characters`);

                const valkey = inputs(res.one(T.statefulSet, "local-data-valkey")).spec.template.spec.containers[0];
                const flag = valkey.args.indexOf("--notify-keyspace-events");
                assert.ok(flag >= 0, "Valkey is started with --notify-keyspace-events");
                const events: string = valkey.args[flag + 1];
                for (const c of ["E", "x", "e"]) assert.ok(events.includes(c), `keyevent notifications include ${c}: ${events}`);
                assert.equal(
                    envNamed(storefrontContainer(res, "local"), "SKIP_KEYSPACE_CONFIG_CHECK"),
                    undefined,
                    "the handlers check the setting",
                );
            });
        } else {
            it("points each region's storefront at database 2 of that region's own Valkey, through Secrets Manager", () => {
                for (const region of regionsOf[stack]) {
                    const storefront = secretValues(res, `saleor/${stack}/${region}/storefront`);
                    const cache = secretValues(res, `saleor/${stack}/${region}/cache`);
                    assert.match(storefront.STOREFRONT_CACHE_URL, /^rediss:\/\/:[^@]+@.+:6379\/2$/, `${region}: TLS, database 2`);
                    assert.equal(
                        storefront.STOREFRONT_CACHE_URL.replace(/\/2$/, "/0"),
                        cache.CACHE_URL,
                        `${region}: the region's own Valkey`,
                    );
                    const external = res.ofType(T.externalSecret).find((e) => e.name === `${region}-storefront-secrets`);
                    assert.ok(external, `${region}: an ExternalSecret for the storefront`);
                    const spec = inputs(external).spec;
                    assert.equal(spec.target.name, "saleor-storefront-env");
                    assert.deepEqual(
                        spec.dataFrom.map((d: any) => d.extract.key),
                        [`saleor/${stack}/storefront`, `saleor/${stack}/${region}/storefront`],
                        `${region}: the stack's revalidation secrets and the region's cache`,
                    );
                }
                const revalidation = secretValues(res, `saleor/${stack}/storefront`);
                for (const k of ["SALEOR_WEBHOOK_SECRET", "REVALIDATE_SECRET"])
                    assert.ok(revalidation[k].length >= 32, `${k} has at least 32 characters`);
            });

            it("keeps the storefront's settings out of Core's Secret", () => {
                for (const region of regionsOf[stack]) {
                    const core = res.ofType(T.externalSecret).find((e) => e.name === `${region}-core-secrets`);
                    assert.ok(core, `${region}: Core's ExternalSecret`);
                    const extracted: string[] = inputs(core).spec.dataFrom.map((d: any) => d.extract.key);
                    assert.deepEqual(
                        extracted.filter((k) => k.endsWith("/storefront")),
                        [],
                        `${region}: Core reads ${extracted.join(", ")}`,
                    );
                }
            });

            it("has ElastiCache publish the expiry and eviction events the cache handlers follow, and evict only keys that expire", () => {
                for (const region of regionsOf[stack]) {
                    const group = res.one(T.replicationGroup, `${region}-data-cache`);
                    const parameters = res.one(T.parameterGroup, `${region}-data-cache`);
                    assert.ok(group.dependencies.includes(parameters.urn), `${region}: the replication group uses the parameter group`);
                    const p = inputs(parameters);
                    assert.equal(p.family, `valkey${inputs(group).engineVersion.split(".")[0]}`);
                    const value = (name: string) => p.parameters.find((x: any) => x.name === name)?.value;
                    for (const c of ["E", "x", "e"])
                        assert.ok(value("notify-keyspace-events")?.includes(c), `${region}: notify-keyspace-events has ${c}`);
                    // Celery's queues have no time to live: they must never be evicted.
                    assert.equal(value("maxmemory-policy"), "volatile-lru");
                    // ElastiCache refuses CONFIG: the handlers must not try to read the setting.
                    assert.equal(envNamed(storefrontContainer(res, region), "SKIP_KEYSPACE_CONFIG_CHECK")?.value, "true");
                }
            });
        }

        it("lets the storefront reach its cache on 6379 and no other data store port, and lets the cache admit it", () => {
            for (const region of regionsOf[stack]) {
                const policy = res.ofType(T.networkPolicy).find((p) => p.name === `${region}-network-storefront`);
                assert.ok(policy, `${region}: the storefront's policy`);
                const egress: any[] = inputs(policy).spec.egress;
                const ports = egress.flatMap((rule) => (rule.ports ?? []).map((p: any) => p.port));
                assert.ok(ports.includes(6379), `${region}: egress to 6379`);
                assert.ok(!ports.includes(5432), `${region}: no egress to PostgreSQL`);
                if (onAws) {
                    // Its own region's Valkey only: the other region's private subnets are Core's, across the peering.
                    const own = vpcPrefix[stack as "staging" | "production"][region as "eu-central-1" | "eu-west-1"];
                    const cacheRule = egress.find((rule) => (rule.ports ?? []).some((p: any) => p.port === 6379));
                    const cidrs: string[] = cacheRule.to.map((t: any) => t.ipBlock.cidr);
                    assert.ok(cidrs.length > 0 && cidrs.every((c) => c.startsWith(own)), `${region}: 6379 to ${cidrs.join(", ")}`);
                }
                if (!onAws) {
                    const valkey = res.ofType(T.networkPolicy).find((p) => p.name === `${region}-network-valkey`);
                    const from = inputs(valkey!).spec.ingress[0].from.map(
                        (f: any) => f.podSelector?.matchLabels?.["app.kubernetes.io/component"],
                    );
                    assert.ok(from.includes("storefront"), `${region}: Valkey admits the storefront`);
                }
            }
        });
    });
}
