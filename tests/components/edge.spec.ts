import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { permissionsBoundaryArnOf } from "../../automation/plan/fake-cloud";
import { DataTier, type AwsDataArgs, type ConnectionFacts } from "../../components/data";
import { MediaCdn, RegionalEdge, withMediaCustomDomain, type RegionalEdgeArgs } from "../../components/edge";
import type { MediaCdnOriginArgs } from "../../components/edge/media-cdn";
import { registered, reveal, type RecordedResource, type Resources } from "../support/harness";

const region = "eu-central-1";
const zoneName = "example.com";
const hosts = { api: "api.de.example.com", dashboard: "dashboard.de.example.com", storefronts: ["shop.example.com", "example.com"] };
const allHosts = [hosts.api, hosts.dashboard, ...hosts.storefronts];
/** What the AWS Load Balancer Controller reports in the API Ingress's status. */
const albHostname = "k8s-saleorproduction-4f2c1a9e7b-1234567890.eu-central-1.elb.amazonaws.com";
/** ELB's published hosted zone for ALBs in eu-central-1. */
const albZoneId = "Z215JYRZR1TBD5";

const T = {
    cachePolicy: "aws:cloudfront/cachePolicy:CachePolicy",
    certificate: "aws:acm/certificate:Certificate",
    validation: "aws:acm/certificateValidation:CertificateValidation",
    record: "aws:route53/record:Record",
    healthCheck: "aws:route53/healthCheck:HealthCheck",
    webAcl: "aws:wafv2/webAcl:WebAcl",
    distribution: "aws:cloudfront/distribution:Distribution",
    oac: "aws:cloudfront/originAccessControl:OriginAccessControl",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    keyPolicy: "aws:kms/keyPolicy:KeyPolicy",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    provider: "pulumi:providers:aws",
} as const;

const inputs = (r: RecordedResource) => r.inputs as Record<string, any>;
const policyOf = (r: RecordedResource) => JSON.parse(reveal<string>(inputs(r).policy));
const providerRef = (rs: Resources, name: string) => {
    const p = rs.one(T.provider, name);
    return `${p.urn}::${p.id}`;
};
/** The value of an Output once the mock runtime resolved it. */
function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) =>
        output.apply((v) => {
            resolve(v);
            return v;
        }),
    );
}
/** The zone id the mock Route 53 gives `example.com` (read back from a record that uses it). */
const zoneIdOf = (rs: Resources) => inputs(rs.ofType(T.record)[0]).zoneId as string;

const edgeArgs: RegionalEdgeArgs = { region, zoneName, hosts: allHosts, apiHost: hosts.api, tags: { environment: "production" } };

/** One region's edge, built as index.ts does: before the Ingresses, routed once the ALB is known. */
async function regionalEdge(args: Partial<RegionalEdgeArgs> = {}) {
    let edge!: RegionalEdge;
    const resources = await registered(() => {
        const provider = new aws.Provider(region, { region });
        edge = new RegionalEdge(`${region}-edge`, { ...edgeArgs, ...args }, { providers: [provider] });
        if (args.loadBalancerHostname === undefined) edge.routeHosts(albHostname);
    }, "production");
    return { resources, edge };
}

/** The primary's data tier with `media.cdn` on, and the CDN built from what it hands over. */
function primaryData(cdn: boolean): AwsDataArgs {
    return {
        region,
        role: "primary",
        network: {
            vpcId: pulumi.output("vpc-1"),
            vpcCidr: "10.10.0.0/16",
            privateSubnetIds: pulumi.output(["subnet-a", "subnet-b"]),
            nodeSecurityGroupId: pulumi.output("sg-nodes"),
            privateRouteTableIds: pulumi.output(["rtb-1"]),
        },
        postgres: {
            engineVersion: "16",
            instanceClass: "db.m7g.large",
            allocatedStorageGiB: 50,
            maxAllocatedStorageGiB: 100,
            multiAz: false,
            backupRetentionDays: 7,
            deletionProtection: false,
            inRegionReplica: false,
        },
        cache: { engineVersion: "8.1", nodeType: "cache.t4g.small", nodes: 1, multiAz: false },
        media: { noncurrentVersionDays: 14, replicate: false, corsOrigins: [`https://${hosts.storefronts[0]}`], cdn },
        appPassword: pulumi.secret("password"),
        protect: false,
        workloadIdentity: { namespace: "saleor", serviceAccountName: "saleor-core", clusterName: pulumi.output(`saleor-${region}`) },
        permissionsBoundaryArn: permissionsBoundaryArnOf("production"),
    };
}

async function mediaCdn(cdn = true) {
    let built!: { tier: DataTier; cdn?: MediaCdn };
    const resources = await registered(() => {
        const primary = new aws.Provider(region, { region });
        const globalProvider = new aws.Provider("us-east-1", { region: "us-east-1" });
        const tier = new DataTier(`${region}-data`, { aws: primaryData(cdn) }, { providers: [primary] });
        const origin = tier.aws!.mediaCdnOrigin;
        built = {
            tier,
            cdn: origin
                ? new MediaCdn("media-cdn", { origins: [origin], zoneName, globalProvider, tags: { environment: "production" } })
                : undefined,
        };
    }, "production");
    return { resources, ...built };
}

describe("RegionalEdge", () => {
    let rs: Resources;
    let edge: RegionalEdge;
    before(async () => {
        ({ resources: rs, edge } = await regionalEdge());
    });

    it("issues one certificate for every host of the region, the API first, validated by DNS", () => {
        const [certificate] = rs.ofType(T.certificate).map(inputs);
        assert.strictEqual(rs.ofType(T.certificate).length, 1);
        assert.strictEqual(certificate.domainName, hosts.api);
        assert.deepStrictEqual([certificate.domainName, ...certificate.subjectAlternativeNames].sort(), [...allHosts].sort());
        assert.strictEqual(certificate.validationMethod, "DNS");
    });

    it("writes ACM's validation record for each host into the public zone and waits for the certificate to be issued", async () => {
        const certificate = rs.one(T.certificate, `${region}-edge-certificate`);
        const validationRecords = rs
            .ofType(T.record)
            .filter((r) => r.name.startsWith(`${region}-edge-certificate-validation-`))
            .map(inputs);
        assert.strictEqual(validationRecords.length, allHosts.length);
        for (const host of allHosts) {
            const record = validationRecords.find((r) => r.name.endsWith(`.${host}.`));
            assert.ok(record, `a validation record for ${host}`);
            assert.strictEqual(record.type, "CNAME");
            assert.match(record.records[0], /\.acm-validations\.aws\.$/);
            assert.strictEqual(record.zoneId, zoneIdOf(rs));
        }
        const validation = rs.one(T.validation, `${region}-edge-certificate`);
        assert.ok(validation.dependencies.includes(certificate.urn), "validates this certificate");
        assert.match(inputs(validation).certificateArn, new RegExp(`^arn:aws:acm:${region}:\\d+:certificate/`));
        assert.strictEqual(
            await valueOf(edge.certificateArn),
            inputs(validation).certificateArn,
            "the edge hands out the ARN only once issued",
        );
        assert.deepStrictEqual(
            [...inputs(validation).validationRecordFqdns].sort(),
            validationRecords.map((r) => r.name.replace(/\.$/, "")).sort(),
        );
    });

    it("protects the region with a REGIONAL web ACL: the three AWS managed groups and a per-IP rate limit", () => {
        const acl = inputs(rs.one(T.webAcl, `${region}-edge-waf`));
        assert.strictEqual(acl.scope, "REGIONAL");
        assert.deepStrictEqual(acl.defaultAction, { allow: {} });
        const managed = acl.rules.filter((r: any) => r.statement.managedRuleGroupStatement);
        assert.deepStrictEqual(
            managed.map((r: any) => [
                r.statement.managedRuleGroupStatement.vendorName,
                r.statement.managedRuleGroupStatement.name,
                r.overrideAction,
            ]),
            [
                ["AWS", "AWSManagedRulesCommonRuleSet", { none: {} }],
                ["AWS", "AWSManagedRulesKnownBadInputsRuleSet", { none: {} }],
                ["AWS", "AWSManagedRulesSQLiRuleSet", { none: {} }],
            ],
        );
        const rate = acl.rules.find((r: any) => r.statement.rateBasedStatement);
        assert.deepStrictEqual(rate.action, { block: {} });
        assert.deepStrictEqual(rate.statement.rateBasedStatement, { aggregateKeyType: "IP", limit: 2000, evaluationWindowSec: 300 });
        assert.strictEqual(new Set(acl.rules.map((r: any) => r.priority)).size, acl.rules.length, "distinct priorities");
    });

    it("records metrics and sampled requests for the ACL and every rule", () => {
        const acl = inputs(rs.one(T.webAcl, `${region}-edge-waf`));
        for (const v of [acl.visibilityConfig, ...acl.rules.map((r: any) => r.visibilityConfig)]) {
            assert.strictEqual(v.cloudwatchMetricsEnabled, true);
            assert.strictEqual(v.sampledRequestsEnabled, true);
            assert.match(v.metricName, /^[A-Za-z0-9_-]{1,128}$/);
        }
    });

    it("lets Saleor's uploads through the Common rule set's 8 KB body limit, counting them instead", () => {
        const acl = inputs(rs.one(T.webAcl, `${region}-edge-waf`));
        const common = acl.rules.find((r: any) => r.name === "AWSManagedRulesCommonRuleSet").statement.managedRuleGroupStatement;
        assert.deepStrictEqual(common.ruleActionOverrides, [{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }]);
    });

    it("hands the ALB Ingresses the issued certificate and the web ACL", async () => {
        const annotations = await valueOf(edge.ingressAnnotations);
        const acl = rs.one(T.webAcl, `${region}-edge-waf`);
        assert.deepStrictEqual(Object.keys(annotations).sort(), [
            "alb.ingress.kubernetes.io/certificate-arn",
            "alb.ingress.kubernetes.io/wafv2-acl-arn",
        ]);
        assert.strictEqual(
            annotations["alb.ingress.kubernetes.io/certificate-arn"],
            inputs(rs.one(T.validation, `${region}-edge-certificate`)).certificateArn,
        );
        assert.match(annotations["alb.ingress.kubernetes.io/certificate-arn"], new RegExp(`^arn:aws:acm:${region}:`));
        assert.strictEqual(annotations["alb.ingress.kubernetes.io/wafv2-acl-arn"], await valueOf(edge.webAclArn));
        assert.match(
            annotations["alb.ingress.kubernetes.io/wafv2-acl-arn"],
            new RegExp(`^arn:aws:wafv2:${region}:\\d+:regional/webacl/.+/${acl.id}$`),
        );
    });

    it("points every host at the region's ALB with one plain alias record (a health check there would decide nothing)", () => {
        const records = rs
            .ofType(T.record)
            .filter((r) => !r.name.includes("-validation-"))
            .map(inputs);
        assert.deepStrictEqual(records.map((r) => r.name).sort(), [...allHosts].sort());
        for (const r of records) {
            assert.strictEqual(r.type, "A");
            assert.deepStrictEqual(r.aliases, [{ name: albHostname, zoneId: albZoneId, evaluateTargetHealth: true }]);
            assert.strictEqual(r.zoneId, zoneIdOf(rs));
            assert.strictEqual(r.healthCheckId, undefined);
            assert.strictEqual(r.setIdentifier, undefined);
            assert.strictEqual(r.records, undefined, "an alias, not a CNAME: the apex host works too");
        }
    });

    it("routes shared hosts by latency and market hosts by failover, with the region's health check, and alarms on it in us-east-1", async () => {
        const resources = await registered(() => {
            const provider = new aws.Provider(region, { region });
            const global = new aws.Provider("global", { region: "us-east-1" });
            const edge = new RegionalEdge(
                `${region}-edge`,
                {
                    ...edgeArgs,
                    hosts: [hosts.api, hosts.dashboard],
                    latencyHosts: ["api.example.com"],
                    failoverHosts: { "shop.example.com": "PRIMARY", "example.com": "SECONDARY" },
                    healthAlarm: { provider: global, topicArn: "arn:aws:sns:us-east-1:123456789012:alerts", alarmName: "api-health" },
                },
                { providers: [provider] },
            );
            edge.routeHosts(albHostname);
        }, "production");
        const check = resources.one(T.healthCheck, `${region}-edge-api-health`);
        const record = (host: string) => inputs(resources.one(T.record, `${region}-edge-${host}`));
        assert.deepStrictEqual(record("api.example.com").latencyRoutingPolicies, [{ region }]);
        assert.deepStrictEqual(record("shop.example.com").failoverRoutingPolicies, [{ type: "PRIMARY" }]);
        assert.deepStrictEqual(record("example.com").failoverRoutingPolicies, [{ type: "SECONDARY" }]);
        for (const host of ["api.example.com", "shop.example.com", "example.com"]) {
            assert.strictEqual(record(host).setIdentifier, region);
            assert.strictEqual(record(host).healthCheckId, check.id);
            assert.deepStrictEqual(record(host).aliases, [{ name: albHostname, zoneId: albZoneId, evaluateTargetHealth: true }]);
        }
        const cert = inputs(resources.one(T.certificate, `${region}-edge-certificate`));
        assert.deepStrictEqual(
            [cert.domainName, ...cert.subjectAlternativeNames].sort(),
            [hosts.api, hosts.dashboard, "api.example.com", "shop.example.com", "example.com"].sort(),
        );
        const alarm = resources.one("aws:cloudwatch/metricAlarm:MetricAlarm", `${region}-edge-api-health`);
        assert.deepStrictEqual(inputs(alarm).dimensions, { HealthCheckId: check.id });
        assert.deepStrictEqual(inputs(alarm).alarmActions, ["arn:aws:sns:us-east-1:123456789012:alerts"]);
        assert.ok(alarm.provider.startsWith(resources.one(T.provider, "global").urn));
        await assert.rejects(
            regionalEdge({ latencyHosts: [hosts.dashboard] }),
            /dashboard\.de\.example\.com is listed twice among hosts, latencyHosts and failoverHosts/,
        );
    });

    it("checks the API's /health/ over HTTPS on its own host name", () => {
        const check = inputs(rs.one(T.healthCheck, `${region}-edge-api-health`));
        assert.deepStrictEqual(
            [check.type, check.fqdn, check.port, check.resourcePath, check.enableSni],
            ["HTTPS", hosts.api, 443, "/health/", true],
        );
        assert.ok(check.failureThreshold >= 2 && check.requestInterval <= 30);
    });

    it("builds everything through the region's provider, inside the component", () => {
        const component = rs.one("saleor:components:RegionalEdge", `${region}-edge`);
        for (const r of rs.all.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:"))) {
            assert.strictEqual(r.parent, component.urn, `${r.type} ${r.name}`);
            assert.strictEqual(r.provider, providerRef(rs, region), `${r.type} ${r.name}`);
        }
    });

    it("takes the rate limit, the health path and the ALB's hostname from its arguments", async () => {
        const { resources } = await regionalEdge({
            rateLimitPer5Min: 500,
            healthCheckPath: "/graphql/",
            loadBalancerHostname: pulumi.output(albHostname),
        });
        const acl = inputs(resources.one(T.webAcl, `${region}-edge-waf`));
        assert.strictEqual(acl.rules.find((r: any) => r.statement.rateBasedStatement).statement.rateBasedStatement.limit, 500);
        assert.strictEqual(inputs(resources.one(T.healthCheck, `${region}-edge-api-health`)).resourcePath, "/graphql/");
        assert.strictEqual(resources.ofType(T.record).filter((r) => inputs(r).aliases?.[0]?.name === albHostname).length, allHosts.length);
    });

    it("refuses hosts outside the zone, an API host that is not among the hosts and a rate limit WAF cannot take", async () => {
        await assert.rejects(
            regionalEdge({ hosts: [...allHosts, "shop.example.nl"] }),
            /shop\.example\.nl is not in the zone example\.com/,
        );
        await assert.rejects(regionalEdge({ apiHost: "api.example.org" }), /apiHost: api\.example\.org is not one of hosts/);
        await assert.rejects(regionalEdge({ rateLimitPer5Min: 5 }), /rateLimitPer5Min: 5/);
    });
});

describe("MediaCdn", () => {
    let rs: Resources;
    let tier: DataTier;
    let cdn: MediaCdn;
    const mediaHost = `media.${zoneName}`;
    before(async () => {
        const built = await mediaCdn();
        rs = built.resources;
        tier = built.tier;
        cdn = built.cdn!;
    });

    const distribution = () => inputs(rs.one(T.distribution, "media-cdn"));

    it("reads the bucket only through an Origin Access Control that signs every request with SigV4", async () => {
        const oac = rs.one(T.oac, "media-cdn-oac");
        assert.deepStrictEqual(
            [inputs(oac).originAccessControlOriginType, inputs(oac).signingBehavior, inputs(oac).signingProtocol],
            ["s3", "always", "sigv4"],
        );
        const [origin] = distribution().origins;
        assert.strictEqual(distribution().origins.length, 1);
        assert.strictEqual(origin.originAccessControlId, oac.id);
        assert.strictEqual(origin.domainName, await valueOf(tier.aws!.mediaBucket!.bucketRegionalDomainName));
        assert.strictEqual(origin.s3OriginConfig, undefined, "no legacy origin access identity");
        assert.strictEqual(origin.customOriginConfig, undefined, "not the public website endpoint");
    });

    it("redirects viewers to HTTPS and caches with compression over HTTP/2 and 3, with CachingOptimized's lifetimes", () => {
        const d = distribution();
        const behaviour = d.defaultCacheBehavior;
        assert.strictEqual(behaviour.viewerProtocolPolicy, "redirect-to-https");
        assert.strictEqual(behaviour.compress, true);
        const policy = inputs(rs.one(T.cachePolicy, "media-cdn-cache"));
        assert.strictEqual(behaviour.cachePolicyId, rs.one(T.cachePolicy, "media-cdn-cache").id);
        assert.deepStrictEqual([policy.minTtl, policy.defaultTtl, policy.maxTtl], [1, 86400, 31536000]);
        const key = policy.parametersInCacheKeyAndForwardedToOrigin;
        assert.deepStrictEqual([key.enableAcceptEncodingGzip, key.enableAcceptEncodingBrotli], [true, true]);
        assert.deepStrictEqual([key.cookiesConfig.cookieBehavior, key.queryStringsConfig.queryStringBehavior], ["none", "none"]);
        assert.deepStrictEqual(behaviour.allowedMethods, ["GET", "HEAD", "OPTIONS"]);
        assert.strictEqual(d.httpVersion, "http2and3");
        assert.strictEqual(d.priceClass, "PriceClass_100");
        assert.strictEqual(d.enabled, true);
        assert.strictEqual(d.defaultRootObject, undefined);
    });

    it("hands the bucket each request's Origin and keys the cache on it, so CORS answers every shop for its own origin", () => {
        // The bucket's CORS rules name the shop's origins; without Origin S3 sends no CORS headers,
        // and without Origin in the cache key one origin's answer would be served to every other.
        const key = inputs(rs.one(T.cachePolicy, "media-cdn-cache")).parametersInCacheKeyAndForwardedToOrigin;
        assert.deepStrictEqual(key.headersConfig, {
            headerBehavior: "whitelist",
            headers: { items: ["Origin", "Access-Control-Request-Headers", "Access-Control-Request-Method"] },
        });
        assert.strictEqual(distribution().defaultCacheBehavior.originRequestPolicyId, undefined, "the cache key already forwards them");
    });

    it("names the cache policy after its host, so two stacks' policies never share a name", () => {
        assert.strictEqual(inputs(rs.one(T.cachePolicy, "media-cdn-cache")).name, `saleor-media-${mediaHost.replace(/\./g, "-")}`);
    });

    it("requires TLS 1.2 (2021 policy) on its own host, with a certificate issued in us-east-1", () => {
        const d = distribution();
        assert.deepStrictEqual(d.aliases, [mediaHost]);
        assert.strictEqual(d.viewerCertificate.minimumProtocolVersion, "TLSv1.2_2021");
        assert.strictEqual(d.viewerCertificate.sslSupportMethod, "sni-only");
        assert.strictEqual(d.viewerCertificate.cloudfrontDefaultCertificate, undefined, "the default certificate would force TLSv1");
        const validation = rs.one(T.validation, "media-cdn-certificate");
        assert.strictEqual(d.viewerCertificate.acmCertificateArn, inputs(validation).certificateArn);
        assert.match(d.viewerCertificate.acmCertificateArn, /^arn:aws:acm:us-east-1:/);
        const certificate = rs.one(T.certificate, "media-cdn-certificate");
        assert.strictEqual(inputs(certificate).domainName, mediaHost);
        assert.strictEqual(certificate.provider, providerRef(rs, "us-east-1"));
        assert.strictEqual(validation.provider, providerRef(rs, "us-east-1"));
    });

    it("attaches a CLOUDFRONT-scope web ACL, made in us-east-1 through the global provider", () => {
        const acl = rs.one(T.webAcl, "media-cdn-waf");
        assert.strictEqual(inputs(acl).scope, "CLOUDFRONT");
        assert.strictEqual(acl.provider, providerRef(rs, "us-east-1"));
        assert.deepStrictEqual(
            inputs(acl).rules.map((r: any) => r.statement.managedRuleGroupStatement?.name ?? "rate"),
            ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesSQLiRuleSet", "rate"],
        );
        assert.ok(inputs(acl).rules.every((r: any) => !r.statement.managedRuleGroupStatement || r.overrideAction.none));
        assert.match(distribution().webAclId, /^arn:aws:wafv2:us-east-1:\d+:global\/webacl\//);
        assert.strictEqual(distribution().webAclId.split("/").pop(), acl.id);
    });

    it("builds everything CloudFront's through us-east-1 and only the bucket and key policies through the bucket region's provider", () => {
        const component = rs.one("saleor:components:MediaCdn", "media-cdn");
        const children = rs.all.filter((r) => r.parent === component.urn);
        assert.ok(children.length >= 10, `found ${children.length}`);
        const regional = new Set([T.bucketPolicy, T.keyPolicy] as string[]);
        for (const r of children) {
            assert.strictEqual(r.provider, providerRef(rs, regional.has(r.type) ? region : "us-east-1"), `${r.type} ${r.name}`);
        }
    });

    it("admits only this distribution to the bucket, to read objects, and still refuses requests without TLS", async () => {
        const bucket = tier.aws!.mediaBucket!;
        const [name, arn] = [await valueOf(bucket.bucket), await valueOf(bucket.arn)];
        const policies = rs.ofType(T.bucketPolicy).filter((r) => inputs(r).bucket === name);
        assert.strictEqual(policies.length, 1, "one bucket, one policy");
        assert.strictEqual(rs.byUrn(policies[0].parent)!.type, "saleor:components:MediaCdn");
        assert.ok(
            policies[0].dependencies.includes(rs.ofType(T.publicAccess).find((r) => inputs(r).bucket === name)!.urn),
            "written after the public access block",
        );
        const distributionArn = await valueOf(cdn.distributionArn);
        assert.deepStrictEqual(policyOf(policies[0]).Statement, [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [arn, `${arn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            {
                Sid: "AllowCloudFrontRead",
                Effect: "Allow",
                Principal: { Service: "cloudfront.amazonaws.com" },
                Action: "s3:GetObject",
                Resource: `${arn}/*`,
                Condition: { StringEquals: { "AWS:SourceArn": distributionArn } },
            },
        ]);
        assert.match(distributionArn, /^arn:aws:cloudfront::\d+:distribution\/E[0-9A-F]{13}$/);
    });

    it("lets CloudFront decrypt media with the bucket's key for this distribution only, and keeps the account administering the key", async () => {
        const key = tier.aws!.keys.media!;
        const [policy] = rs.ofType(T.keyPolicy);
        assert.strictEqual(rs.ofType(T.keyPolicy).length, 1);
        assert.strictEqual(inputs(policy).keyId, await valueOf(key.keyId));
        assert.strictEqual(policy.provider, providerRef(rs, region), "KMS keys live in their region");
        const keyArn = await valueOf(key.arn);
        const account = keyArn.split(":")[4];
        assert.deepStrictEqual(policyOf(policy).Statement, [
            {
                Sid: "EnableIamPolicies",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${account}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "AllowCloudFrontDecrypt",
                Effect: "Allow",
                Principal: { Service: "cloudfront.amazonaws.com" },
                Action: "kms:Decrypt",
                Resource: "*",
                Condition: { StringEquals: { "AWS:SourceArn": await valueOf(cdn.distributionArn) } },
            },
        ]);
    });

    it("leaves nothing public: the bucket blocks public access and no policy allows anyone unnamed", async () => {
        const name = await valueOf(tier.aws!.mediaBucket!.bucket);
        const block = inputs(rs.ofType(T.publicAccess).find((r) => inputs(r).bucket === name)!);
        assert.deepStrictEqual(
            [block.blockPublicAcls, block.blockPublicPolicy, block.ignorePublicAcls, block.restrictPublicBuckets],
            [true, true, true, true],
        );
        for (const policy of [...rs.ofType(T.bucketPolicy), ...rs.ofType(T.keyPolicy)]) {
            for (const s of policyOf(policy).Statement.filter((x: any) => x.Effect === "Allow")) {
                const principal = JSON.stringify(s.Principal);
                assert.ok(principal !== '"*"' && !principal.includes('"AWS":"*"'), `${policy.name} ${s.Sid} names its principal`);
                if (s.Principal.Service)
                    assert.ok(s.Condition?.StringEquals?.["AWS:SourceArn"], `${policy.name} ${s.Sid} is pinned to one source`);
            }
        }
    });

    it("serves media on its own host through alias records and hands that host to Saleor as AWS_MEDIA_CUSTOM_DOMAIN", async () => {
        const records = rs
            .ofType(T.record)
            .filter((r) => inputs(r).name === mediaHost)
            .map(inputs);
        assert.deepStrictEqual(records.map((r) => r.type).sort(), ["A", "AAAA"]);
        const cloudfrontName = await valueOf(cdn.distributionDomainName);
        assert.match(cloudfrontName, /^d[0-9a-f]{13}\.cloudfront\.net$/);
        for (const r of records)
            assert.deepStrictEqual(r.aliases, [{ name: cloudfrontName, zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false }]);
        assert.strictEqual(await valueOf(cdn.domainName), mediaHost);

        const facts = withMediaCustomDomain(tier.connection, cdn.domainName);
        assert.strictEqual(facts.media.kind, "s3");
        if (facts.media.kind === "s3") {
            assert.strictEqual(await valueOf(facts.media.customDomain!), mediaHost);
            assert.strictEqual(facts.media.bucket, tier.connection.media.kind === "s3" ? tier.connection.media.bucket : undefined);
        }
        const volume: ConnectionFacts = { ...tier.connection, media: { kind: "volume", claimName: pulumi.output("media") } };
        assert.strictEqual(withMediaCustomDomain(volume, cdn.domainName), volume, "a volume has no custom domain");
    });

    it("takes over the data tier's bucket policy in place rather than deleting it after creating its own", async () => {
        const { resources } = await mediaCdn(false);
        // The media bucket's policy (the private-files bucket keeps its own, never a CDN's).
        const mediaPolicies = resources.ofType(T.bucketPolicy).filter((p) => p.name.includes("-media-"));
        const [ownPolicy] = mediaPolicies;
        assert.strictEqual(mediaPolicies.length, 1);
        assert.strictEqual(resources.ofType(T.keyPolicy).length, 0, "no CDN, KMS's default key policy");
        const alias = tier.aws!.mediaCdnOrigin!.bucketPolicyAliases[0];
        assert.strictEqual(alias.name, ownPolicy.name);
        assert.strictEqual(alias.parent, tier);
    });

    it("refuses a price class CloudFront does not have, a host outside the zone, and a failover without a replica", async () => {
        const build = (args: { priceClass?: string; host?: string; failoverToReplica?: boolean }) =>
            registered(() => {
                const globalProvider = new aws.Provider("us-east-1", { region: "us-east-1" });
                return new MediaCdn("media-cdn", { origins: [bucketOrigin(region)], zoneName, globalProvider, ...args });
            });
        await assert.rejects(build({ priceClass: "PriceClass_Cheapest" }), /priceClass: "PriceClass_Cheapest"/);
        await assert.rejects(build({ host: "media.example.org" }), /host: media\.example\.org is not in the zone/);
        await assert.rejects(build({ failoverToReplica: true }), /failoverToReplica: needs a second origin/);
    });
});

/** A media bucket of `bucketRegion` as a CDN origin, as a data tier with `media.cdn` hands it over. */
function bucketOrigin(bucketRegion: string, provider?: aws.Provider): MediaCdnOriginArgs {
    return {
        region: bucketRegion,
        provider,
        bucketName: `media-${bucketRegion}`,
        bucketArn: `arn:aws:s3:::media-${bucketRegion}`,
        bucketRegionalDomainName: `media-${bucketRegion}.s3.${bucketRegion}.amazonaws.com`,
        key: { id: `key-${bucketRegion}`, arn: `arn:aws:kms:${bucketRegion}:123456789012:key/key-${bucketRegion}` },
    };
}

describe("MediaCdn across two regions", () => {
    const [first, second] = ["eu-central-1", "eu-west-1"];
    /** The CDN over both regions' buckets, `order` first being the primary's. */
    const twoRegions = (order: string[]) =>
        registered(() => {
            const providers = Object.fromEntries(order.map((r) => [r, new aws.Provider(r, { region: r })]));
            const globalProvider = new aws.Provider("us-east-1", { region: "us-east-1" });
            new MediaCdn("media-cdn", {
                origins: order.map((r) => bucketOrigin(r, providers[r])),
                failoverToReplica: true,
                zoneName,
                globalProvider,
            });
        }, "production");

    it("reads the primary's bucket and falls back to the replica on server errors, through an origin group", async () => {
        const rs = await twoRegions([first, second]);
        const d = inputs(rs.one(T.distribution, "media-cdn"));
        assert.deepStrictEqual(
            d.origins.map((o: any) => o.domainName),
            [first, second].map((r) => `media-${r}.s3.${r}.amazonaws.com`),
        );
        const [group] = d.originGroups;
        assert.deepStrictEqual(
            group.members.map((m: any) => m.originId),
            d.origins.map((o: any) => o.originId),
        );
        assert.deepStrictEqual(group.failoverCriteria.statusCodes, [500, 502, 503, 504]);
        assert.strictEqual(d.defaultCacheBehavior.targetOriginId, group.originId);
    });

    it("admits the distribution to both buckets and keys, each written through its own region's provider", async () => {
        const rs = await twoRegions([first, second]);
        for (const r of [first, second]) {
            const policy = rs.one(T.bucketPolicy, `media-cdn-${r}-bucket-policy`);
            assert.strictEqual(inputs(policy).bucket, `media-${r}`);
            assert.strictEqual(policy.provider, providerRef(rs, r));
            const keyPolicy = rs.one(T.keyPolicy, `media-cdn-${r}-key-policy`);
            assert.strictEqual(inputs(keyPolicy).keyId, `key-${r}`);
            assert.strictEqual(keyPolicy.provider, providerRef(rs, r));
        }
    });

    it("changes only the order of origins on a failover: no policy, origin access or record is renamed or moved", async () => {
        const before = await twoRegions([first, second]);
        const after = await twoRegions([second, first]);
        const shape = (rs: Resources) =>
            rs.all
                .filter((r) => r.type !== T.distribution && !r.type.startsWith("pulumi:providers:"))
                .map((r) => JSON.stringify([r.urn, r.provider.split("::")[3], r.inputs]))
                .sort();
        assert.deepStrictEqual(shape(after), shape(before));
        const origins = (rs: Resources) => inputs(rs.one(T.distribution, "media-cdn")).origins.map((o: any) => o.originId);
        assert.deepStrictEqual(origins(after), [...origins(before)].reverse());
    });
});
