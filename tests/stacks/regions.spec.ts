import assert from "node:assert/strict";
import { Resources, type RecordedResource } from "../support/harness";
import { evaluated } from "../support/plans";

// One shop in two regions: one public API that either region serves, markets that fail over to the
// other region, and Route 53 health checks that decide where traffic goes. Each spec reads the plan.

const T = {
    record: "aws:route53/record:Record",
    healthCheck: "aws:route53/healthCheck:HealthCheck",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    certificate: "aws:acm/certificate:Certificate",
    configMap: "kubernetes:core/v1:ConfigMap",
    deployment: "kubernetes:apps/v1:Deployment",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    image: "docker:index/image:Image",
} as const;

const regions = ["eu-central-1", "eu-west-1"] as const;
const stackHosts = {
    production: {
        api: "api.example.com",
        regionalApi: { "eu-central-1": "api.de.example.com", "eu-west-1": "api.nl.example.com" },
        markets: { "de.example.com": "eu-central-1", "nl.example.com": "eu-west-1", "be.example.com": "eu-west-1" },
    },
    staging: {
        api: "api.staging.example.com",
        regionalApi: { "eu-central-1": "api.de.staging.example.com", "eu-west-1": "api.nl.staging.example.com" },
        markets: { "de.staging.example.com": "eu-central-1", "nl.staging.example.com": "eu-west-1", "be.staging.example.com": "eu-west-1" },
    },
} as const;

const inputs = (r: RecordedResource) => r.inputs as any;
const env = (container: any): Record<string, string> => Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value]));
const containerOf = (res: Resources, name: string) => inputs(res.workload(name)).spec.template.spec.containers[0];
/** The region of the provider a resource was registered with. */
const providerRegion = (res: Resources, r: RecordedResource): string =>
    inputs(res.byUrn(r.provider.split("::").slice(0, -1).join("::"))!).region;
const recordsNamed = (res: Resources, host: string) => res.ofType(T.record).filter((r) => inputs(r).name === host);
const healthCheckOf = (res: Resources, region: string) => res.one(T.healthCheck, `${region}-edge-api-health`);
const ingressHosts = (res: Resources, region: string) =>
    res
        .ofType(T.ingress)
        .filter((i) => i.name.startsWith(`${region}-`))
        .flatMap((i) => inputs(i).spec.rules.map((rule: any) => rule.host));

for (const stack of ["production", "staging"] as const) {
    const hosts = stackHosts[stack];
    describe(`${stack} stack: one public API for both regions`, () => {
        let res: Resources;
        before(async () => (res = new Resources((await evaluated(stack)).resources)));

        it("every region's Core has the same PUBLIC_URL, the stack's API host (webhooks and app credentials are keyed by it)", () => {
            for (const region of regions) {
                assert.equal(inputs(res.one(T.configMap, `${region}-core-config`)).data.PUBLIC_URL, `https://${hosts.api}/`, region);
            }
        });

        it("exports the stack's public API URL, the one shoppers, apps and the Dashboard use, beside each region's own", async () => {
            const outputs = (await evaluated(stack)).outputs as { publicApi?: { api: string; graphql: string } };
            assert.deepEqual(outputs.publicApi, { api: `https://${hosts.api}/`, graphql: `https://${hosts.api}/graphql/` });
        });

        it("the Dashboards and the storefront call the stack's API host, and the storefront is built once", () => {
            for (const region of regions) {
                assert.equal(env(containerOf(res, `${region}-core-dashboard`)).API_URL, `https://${hosts.api}/graphql/`, region);
            }
            const images = res.ofType(T.image).filter((i) => i.name.includes("storefront"));
            assert.equal(images.length, 1, images.map((i) => i.name).join(", "));
            assert.equal(inputs(images[0]).build.args.NEXT_PUBLIC_SALEOR_API_URL, `https://${hosts.api}/graphql/`);
            for (const region of regions) assert.equal(containerOf(res, `${region}-storefront`).image !== undefined, true);
        });

        it("each region's API Ingress answers the stack's API host and its own, and its certificate covers both", () => {
            for (const region of regions) {
                const api = inputs(res.one(T.ingress, `${region}-core-api`)).spec.rules.map((r: any) => r.host);
                assert.deepEqual([...api].sort(), [hosts.api, hosts.regionalApi[region]].sort(), region);
                const cert = inputs(res.one(T.certificate, `${region}-edge-certificate`));
                const names = [cert.domainName, ...(cert.subjectAlternativeNames ?? [])];
                for (const host of [hosts.api, hosts.regionalApi[region]])
                    assert.ok(names.includes(host), `${region}: ${host} in ${names}`);
            }
        });

        it("Route 53 sends the API host to the nearest region whose /health/ passes (latency records with health checks)", () => {
            const records = recordsNamed(res, hosts.api);
            assert.equal(records.length, regions.length, records.map((r) => r.name).join(", "));
            for (const region of regions) {
                const record = records.find((r) => inputs(r).setIdentifier === region);
                assert.ok(record, `${region}: a record with setIdentifier ${region}`);
                assert.deepEqual(inputs(record).latencyRoutingPolicies, [{ region }]);
                const check = healthCheckOf(res, region);
                assert.ok(record.dependencies.includes(check.urn), `${region}: the record carries the region's health check`);
                assert.ok(inputs(record).healthCheckId !== undefined);
                const [alias] = inputs(record).aliases;
                assert.equal(alias.evaluateTargetHealth, true);
                assert.ok(
                    record.dependencies.includes(res.one(T.ingress, `${region}-core-api`).urn),
                    `${region}: aliased to the ALB of the region's Ingresses`,
                );
            }
        });

        it("every region's Core admits every region's Dashboard and storefront (CORS, redirect hosts): either region may answer", () => {
            const dashboards = regions.map(
                (r) => `dashboard.${r === "eu-central-1" ? "de" : "nl"}.${stack === "staging" ? "staging." : ""}example.com`,
            );
            for (const region of regions) {
                const data = inputs(res.one(T.configMap, `${region}-core-config`)).data;
                const origins = data.ALLOWED_GRAPHQL_ORIGINS.split(",");
                const clients = data.ALLOWED_CLIENT_HOSTS.split(",");
                for (const host of [...dashboards, ...Object.keys(hosts.markets)]) {
                    assert.ok(origins.includes(`https://${host}`), `${region}: ${host} in ALLOWED_GRAPHQL_ORIGINS`);
                    assert.ok(clients.includes(host), `${region}: ${host} in ALLOWED_CLIENT_HOSTS`);
                }
            }
        });

        it("each region's health check calls that region's own API host over HTTPS on /health/", () => {
            for (const region of regions) {
                const check = inputs(healthCheckOf(res, region));
                assert.equal(check.fqdn, hosts.regionalApi[region]);
                assert.equal(check.resourcePath, "/health/");
                assert.equal(check.type, "HTTPS");
                assert.equal(check.enableSni, true);
            }
        });
    });

    describe(`${stack} stack: every market served by either region`, () => {
        let res: Resources;
        before(async () => (res = new Resources((await evaluated(stack)).resources)));

        it("both regions' Ingresses and certificates accept every market host", () => {
            for (const region of regions) {
                const served = ingressHosts(res, region);
                const cert = inputs(res.one(T.certificate, `${region}-edge-certificate`));
                const names = [cert.domainName, ...(cert.subjectAlternativeNames ?? [])];
                for (const host of Object.keys(hosts.markets)) {
                    assert.ok(served.includes(host), `${region} serves ${host}: ${served}`);
                    assert.ok(names.includes(host), `${region}'s certificate covers ${host}`);
                }
            }
        });

        it("each market host fails over: PRIMARY in its home region with that region's health check, SECONDARY in the other", () => {
            for (const [host, home] of Object.entries(hosts.markets)) {
                const records = recordsNamed(res, host);
                assert.equal(records.length, 2, `${host}: ${records.map((r) => r.name)}`);
                for (const region of regions) {
                    const record = records.find((r) => inputs(r).setIdentifier === region);
                    assert.ok(record, `${host}: a record for ${region}`);
                    const type = region === home ? "PRIMARY" : "SECONDARY";
                    assert.deepEqual(inputs(record).failoverRoutingPolicies, [{ type }], `${host} in ${region}`);
                    assert.ok(
                        record.dependencies.includes(healthCheckOf(res, region).urn),
                        `${host} in ${region}: the region's health check`,
                    );
                    assert.equal(inputs(record).aliases[0].evaluateTargetHealth, true);
                }
            }
        });

        it("the storefront of either region knows every market's channel", async () => {
            const channels = { de: "channel-de", nl: "channel-nl", be: "channel-be" };
            const withChannels = new Resources((await evaluated(stack, { "saleor:storefront": JSON.stringify({ channels }) })).resources);
            for (const region of regions) {
                const served = (env(containerOf(withChannels, `${region}-storefront`)).STOREFRONT_CHANNELS ?? "").split(",");
                assert.deepEqual([...served].sort(), Object.values(channels).sort(), region);
            }
        });
    });

    describe(`${stack} stack: Route 53 health checks drive routing and an alarm`, () => {
        let res: Resources;
        before(async () => (res = new Resources((await evaluated(stack)).resources)));

        it("every health check is used by a record and by an alarm on HealthCheckStatus in us-east-1 that notifies a topic", () => {
            const checks = res.ofType(T.healthCheck);
            assert.equal(checks.length, regions.length);
            for (const check of checks) {
                assert.ok(
                    res.ofType(T.record).some((r) => r.dependencies.includes(check.urn)),
                    `${check.name}: routes no record`,
                );
                const alarms = res.ofType(T.alarm).filter((a) => a.dependencies.includes(check.urn));
                assert.equal(alarms.length, 1, `${check.name}: one alarm`);
                const alarm = inputs(alarms[0]);
                assert.equal(alarm.namespace, "AWS/Route53");
                assert.equal(alarm.metricName, "HealthCheckStatus");
                assert.equal(alarm.comparisonOperator, "LessThanThreshold");
                assert.equal(alarm.threshold, 1);
                // Route 53 publishes health check metrics in us-east-1 only.
                assert.equal(providerRegion(res, alarms[0]), "us-east-1");
                assert.ok((alarm.alarmActions ?? []).length > 0, `${check.name}: the alarm notifies`);
                assert.ok((alarm.okActions ?? []).length > 0, `${check.name}: and says when it recovers`);
            }
        });
    });
}

describe("production stack: database connections across regions", () => {
    it("the secondary region's Celery worker keeps its database connections (DB_CONN_MAX_AGE), its ASGI API does not", async () => {
        const res = new Resources((await evaluated("production")).resources);
        const worker = containerOf(res, "eu-west-1-core-worker");
        assert.equal(env(worker).DB_CONN_MAX_AGE, "60");
        const api = containerOf(res, "eu-west-1-core-api");
        assert.equal(env(api).DB_CONN_MAX_AGE, undefined);
        assert.equal(inputs(res.one(T.configMap, "eu-west-1-core-config")).data.DB_CONN_MAX_AGE, undefined);
    });
});

for (const stack of ["production", "staging"] as const) {
    describe(`${stack} stack: restores are tested weekly`, () => {
        it("a weekly restore testing plan restores the primary writer's latest recovery point and the media bucket", async () => {
            const res = new Resources((await evaluated(stack)).resources);
            const plans = res.ofType("aws:backup/restoreTestingPlan:RestoreTestingPlan");
            assert.equal(plans.length, 1, "one plan, beside the backup plan of the primary's writer");
            const plan = inputs(plans[0]);
            assert.match(plan.scheduleExpression, /^cron\(\S+ \S+ \? \* (MON|TUE|WED|THU|FRI|SAT|SUN) \*\)$/, "weekly");
            assert.equal(plan.recoveryPointSelection.algorithm, "LATEST_WITHIN_WINDOW");
            assert.match(plan.name, /^[A-Za-z0-9_]{1,50}$/);
            assert.ok(plan.name.includes(stack), "named by stack: two stacks share an account");
            const selections = res.ofType("aws:backup/restoreTestingSelection:RestoreTestingSelection");
            const byType = Object.fromEntries(selections.map((s) => [inputs(s).protectedResourceType, s]));
            assert.deepEqual(Object.keys(byType).sort(), ["RDS", "S3"]);
            const writer = res.one("aws:rds/instance:Instance", "eu-central-1-data-postgres-writer");
            assert.ok(byType.RDS.dependencies.includes(writer.urn), "the RDS test restores the writer");
            for (const s of selections) {
                assert.ok(s.dependencies.includes(plans[0].urn));
                assert.ok(inputs(s).validationWindowHours >= 1);
            }
        });

        it("a restore test that fails, is aborted or fails validation notifies the region's alert topic", async () => {
            const res = new Resources((await evaluated(stack)).resources);
            for (const region of regions) {
                const rule = res.one("aws:cloudwatch/eventRule:EventRule", `${region}-alerts-restore-test-failed`);
                const pattern = JSON.parse(inputs(rule).eventPattern);
                assert.deepEqual(pattern["detail-type"], ["Restore Job State Change"]);
                assert.deepEqual(pattern.detail.$or, [{ status: ["FAILED", "ABORTED"] }, { validationStatus: ["FAILED", "TIMED_OUT"] }]);
                const target = res.one("aws:cloudwatch/eventTarget:EventTarget", `${region}-alerts-restore-test-failed`);
                const topic = res.one("aws:sns/topic:Topic", `${region}-alerts-topic`);
                assert.ok(target.dependencies.includes(topic.urn), `${region}: the rule's target is the region's topic`);
                const policy = JSON.parse(inputs(res.one("aws:sns/topicPolicy:TopicPolicy", `${region}-alerts-topic`)).policy);
                const grant = policy.Statement.find((st: any) => st.Sid === "BackupJobFailureRulesPublish");
                assert.ok(grant, `${region}: EventBridge may publish`);
            }
        });
    });
}
