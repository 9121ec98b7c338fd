import assert from "node:assert/strict";
import { validateStackConfig } from "../../config";
import { assertIncludes, configSource, devStack, productionStack } from "../support/config";
import { Resources, reveal } from "../support/harness";
import { evaluated } from "../support/plans";

const regions = ["eu-central-1", "eu-west-1"];

describe("production operations: edge, alerts, backups", () => {
    let res: Resources;
    before(async () => {
        res = new Resources((await evaluated("production")).resources);
    });

    it("attaches each region's own certificate and WAF to every Ingress there", () => {
        for (const region of regions) {
            const cert = res.one("aws:acm/certificate:Certificate", `${region}-edge-certificate`);
            const waf = res.ofType("aws:wafv2/webAcl:WebAcl").find((w) => w.name.startsWith(`${region}-edge`))!;
            assert.equal((waf.inputs as any).scope, "REGIONAL");
            const ingresses = res.ofType("kubernetes:networking.k8s.io/v1:Ingress").filter((i) => i.name.startsWith(region));
            assert.equal(ingresses.length, 3);
            for (const i of ingresses) {
                const a = (i.inputs as any).metadata.annotations;
                assert.match(a["alb.ingress.kubernetes.io/certificate-arn"], new RegExp(`^arn:aws:acm:${region}:`), i.name);
                assert.match(a["alb.ingress.kubernetes.io/wafv2-acl-arn"], new RegExp(`^arn:aws:wafv2:${region}:`), i.name);
                assert.ok(i.dependencies.includes(cert.urn) || i.dependencies.some((d) => d.includes("edge")), i.name);
            }
        }
    });

    it("gives every public host a DNS record in the zone", () => {
        const names = res.ofType("aws:route53/record:Record").map((r) => (r.inputs as any).name);
        for (const host of [
            "api.de.example.com",
            "dashboard.de.example.com",
            "de.example.com",
            "api.nl.example.com",
            "nl.example.com",
            "be.example.com",
        ]) {
            assert.ok(names.includes(host), `${host} has a record`);
        }
    });

    it("serves media through CloudFront and tells Saleor its domain in both regions", () => {
        assert.equal(res.ofType("aws:cloudfront/distribution:Distribution").length, 1);
        for (const region of regions) {
            const data = (res.one("kubernetes:core/v1:ConfigMap", `${region}-core-config`).inputs as any).data;
            assert.equal(data.AWS_MEDIA_CUSTOM_DOMAIN, "media.example.com");
            assert.equal(data.AWS_QUERYSTRING_AUTH, undefined, "no signed links once a CDN serves media");
        }
    });

    it("alerts through a topic in each region, with the seeds' alarms", () => {
        for (const region of regions) {
            const topic = res.ofType("aws:sns/topic:Topic").find((t) => t.name.startsWith(region))!;
            // Route 53 health check alarms live in us-east-1 with that region's topic (regions.spec.ts).
            const alarms = res
                .ofType("aws:cloudwatch/metricAlarm:MetricAlarm")
                .filter((a) => a.name.startsWith(region) && (a.inputs as any).namespace !== "AWS/Route53");
            assert.ok(alarms.length >= 8, `${region}: ${alarms.length} alarms`);
            for (const a of alarms) {
                assert.ok(a.dependencies.includes(topic.urn), `${a.name} notifies its own region's topic`);
            }
        }
        const subscriptions = res
            .ofType("aws:sns/topicSubscription:TopicSubscription")
            .map((s) => reveal<string>((s.inputs as any).endpoint));
        // Each region's topic, and the us-east-1 topic of the Route 53 health check alarms.
        assert.deepEqual(subscriptions, ["ops@example.com", "ops@example.com", "ops@example.com"]);
    });

    it("copies every 6-hourly backup to a vault in the secondary region", () => {
        const plan = res.ofType("aws:backup/plan:Plan")[0].inputs as any;
        const rule = plan.rules[0];
        assert.equal(rule.copyActions.length, 1);
        assert.match(rule.copyActions[0].destinationVaultArn, /^arn:aws:backup:eu-west-1:/);
        assert.equal(rule.copyActions[0].lifecycle.deleteAfter, 30);
    });
});

describe("AWS Backup failure alerts", () => {
    const inputsOf = (r: { inputs: unknown }) => r.inputs as Record<string, any>;
    const statements = (r: { inputs: unknown }): any[] => JSON.parse(inputsOf(r).policy).Statement;

    for (const stack of ["production", "staging"] as const) {
        it(`${stack}: every region sends failed, aborted and expired backup jobs and failed copy jobs to its own topic`, async () => {
            const res = new Resources((await evaluated(stack)).resources);
            for (const region of regions) {
                const topic = res.one("aws:sns/topic:Topic", `${region}-alerts-topic`);
                const policy = res.one("aws:sns/topicPolicy:TopicPolicy", `${region}-alerts-topic`);
                const rules = [
                    ["backup-job-failed", "Backup Job State Change", ["FAILED", "ABORTED", "EXPIRED"]],
                    ["backup-copy-failed", "Copy Job State Change", ["FAILED"]],
                ] as const;
                for (const [what, detailType, states] of rules) {
                    const rule = res.one("aws:cloudwatch/eventRule:EventRule", `${region}-alerts-${what}`);
                    assert.deepEqual(JSON.parse(inputsOf(rule).eventPattern), {
                        source: ["aws.backup"],
                        "detail-type": [detailType],
                        detail: { state: states },
                    });
                    assert.equal(rule.provider, topic.provider, `${rule.name} is in ${region}`);
                    const target = res.one("aws:cloudwatch/eventTarget:EventTarget", `${region}-alerts-${what}`);
                    assert.equal(inputsOf(target).rule, inputsOf(rule).name);
                    assert.match(inputsOf(target).arn, new RegExp(`^arn:aws:sns:${region}:\\d+:${inputsOf(topic).name}$`));
                    assert.ok(policy.dependencies.includes(rule.urn), `the topic policy names ${rule.name}`);
                }
                const fromEvents = statements(policy).filter((x) => x.Principal?.Service === "events.amazonaws.com");
                assert.equal(fromEvents.length, 1);
                assert.equal(
                    fromEvents[0].Condition.ArnEquals["aws:SourceArn"].length,
                    3,
                    "only the three rules (backups, copies, restore tests)",
                );
                const key = res.one("aws:kms/key:Key", `${region}-alerts-key`);
                assert.deepEqual(
                    statements(key)
                        .filter((x) => x.Principal?.Service === "events.amazonaws.com")
                        .map((x) => x.Action),
                    [["kms:Decrypt", "kms:GenerateDataKey*"]],
                );
            }
        });
    }

    it("dev: none (no AWS alarms there)", async () => {
        const res = new Resources((await evaluated("dev")).resources);
        assert.equal(res.ofType("aws:cloudwatch/eventRule:EventRule").length, 0);
        assert.equal(res.ofType("aws:cloudwatch/eventTarget:EventTarget").length, 0);
    });
});

describe("operations config", () => {
    const problems = (v: Record<string, unknown>) => {
        const r = validateStackConfig(configSource(v));
        return "problems" in r ? r.problems : [];
    };

    it("dev has no AWS operations, and cannot switch them on", () => {
        assertIncludes(
            problems({ ...devStack, operations: { alarms: true } }),
            'saleor:operations.alarms: needs cluster.flavour "aws" (it builds AWS resources); allowed here: false',
        );
    });

    it("the edge needs the Route 53 zone, and every host inside it", () => {
        assertIncludes(
            problems({ ...productionStack, operations: { edge: true } }),
            "saleor:operations.dnsZone: required with operations.edge or operations.mediaCdn (the Route 53 zone certificates are validated in)",
        );
        assertIncludes(
            problems({ ...productionStack, operations: { dnsZone: "example.org", apiHost: "api.example.org" } }),
            'saleor:regions[0].hosts: "api.de.example.com" is outside operations.dnsZone example.org; every host needs a record in that zone',
        );
        assert.deepEqual(problems({ ...productionStack, operations: { dnsZone: "example.com", apiHost: "api.example.com" } }), []);
    });

    it("a webhook for alerts must be a secret", () => {
        assertIncludes(
            problems({ ...productionStack, operations: { dnsZone: "example.com" }, alertWebhookUrl: "https://events.pagerduty.com/x" }),
            "saleor:alertWebhookUrl: holds credentials, so it must be a secret; set it with `pulumi config set --secret saleor:alertWebhookUrl <value>`",
        );
    });
});
