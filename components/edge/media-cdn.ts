import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport, policyDocument, type PolicyStatement } from "../aws/iam";
import { accountAdministersKey } from "../aws/kms";
import { createLogBucket, deliveredLogWriters, logBucketName, type LogBucket } from "../aws/log-bucket";
import type { ConnectionFacts } from "../data/types";
import { createValidatedCertificate, hostsOutsideZone, lookupZone } from "./certificate";
import type { MediaCdnOriginArgs } from "./types";
import { createWebAcl, rateLimitProblems } from "./waf";

export type { MediaCdnOriginArgs } from "./types";

/**
 * The request headers S3's CORS needs (the CloudFront Developer Guide's managed origin request
 * policy Managed-CORS-S3Origin forwards exactly these): the shop's Origin, and a preflight's
 * Access-Control-Request-*.
 */
const corsHeaders = ["Origin", "Access-Control-Request-Headers", "Access-Control-Request-Method"];

const priceClasses = ["PriceClass_100", "PriceClass_200", "PriceClass_All"];
/** Origins are named by region, so reordering them (a failover) changes references, not origins. */
const originIdOf = (region: string) => `media-${region}`;
const failoverGroupId = "media-with-failover";

export interface MediaCdnArgs {
    /**
     * The media buckets, the primary region's first: CloudFront reads it. Every bucket listed admits
     * the distribution, so a failover (roles swapped, the order with them) changes only the
     * distribution's origin and no bucket or key policy.
     */
    readonly origins: MediaCdnOriginArgs[];
    /**
     * The second bucket is a replica of the first (`media.replicate`): the two form an origin group,
     * and CloudFront reads the replica whenever the primary's bucket answers with an error, before
     * anyone changes config. Default: false (the first bucket alone is the origin).
     */
    readonly failoverToReplica?: boolean;
    /** Public Route 53 hosted zone of `host`. */
    readonly zoneName: string;
    /**
     * The CDN's host name (AWS_MEDIA_CUSTOM_DOMAIN). A host of our own is what makes TLS 1.2 the
     * minimum: on the default *.cloudfront.net name CloudFront always accepts TLS 1.0. Default: "media.<zoneName>".
     */
    readonly host?: string;
    /**
     * AWS provider for us-east-1, CloudFront's home: the distribution, its origin access control,
     * WAF web ACL (scope CLOUDFRONT), ACM certificate and DNS records all go through it, so none of
     * them depends on which region is primary.
     */
    readonly globalProvider: aws.Provider;
    /** Requests one client IP may make in 5 minutes. Default: 10000 (a product listing loads dozens of images). */
    readonly rateLimitPer5Min?: number;
    /** Edge locations served: PriceClass_100 (North America and Europe), _200 or _All. Default: "PriceClass_100". */
    readonly priceClass?: string;
    /**
     * Keep CloudFront's standard logs (`cloudfront/`) and the web ACL's logs in a us-east-1 bucket
     * `aws-waf-logs-<project>-<stack>-cdn-<account>` for `expirationDays`, protected with `protect`.
     * Default: no logs.
     */
    readonly logs?: { readonly expirationDays: number; readonly protect: boolean };
    readonly tags?: Record<string, string>;
}

/**
 * CloudFront in front of the primary region's media bucket. The buckets stay private: CloudFront
 * signs every origin request (Origin Access Control, SigV4) and each bucket's policy admits that one
 * distribution only, next to the TLS-only deny. Viewers get HTTPS only (HTTP redirects), TLS 1.2
 * or newer on our own host name, HTTP/2 and HTTP/3, compression, and a CLOUDFRONT-scope WAF.
 *
 * The bucket policy and the key policy are written here, not by the data tier: the distribution
 * needs the bucket first, and both policies need the distribution's ARN. The data tier (with
 * `media.cdn`) therefore writes neither and hands over what they must keep.
 *
 * Providers: `args.globalProvider` for everything CloudFront's (us-east-1), each origin's own
 * `provider` for its bucket and key policies.
 */
export class MediaCdn extends pulumi.ComponentResource {
    /** The host media is served from: AWS_MEDIA_CUSTOM_DOMAIN. Resolves once its DNS records exist. */
    public readonly domainName: pulumi.Output<string>;
    /** The distribution's own *.cloudfront.net name. */
    public readonly distributionDomainName: pulumi.Output<string>;
    public readonly distributionArn: pulumi.Output<string>;
    public readonly distributionId: pulumi.Output<string>;
    /** ARN of the CLOUDFRONT-scope web ACL (us-east-1). */
    public readonly webAclArn: pulumi.Output<string>;

    constructor(name: string, args: MediaCdnArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:MediaCdn", name, {}, opts);
        const host = args.host ?? `media.${args.zoneName.replace(/\.$/, "")}`;
        const priceClass = args.priceClass ?? "PriceClass_100";
        const rateLimit = args.rateLimitPer5Min ?? 10000;
        const origins = args.origins;
        const regions = origins.map((o) => o.region);
        const problems = [
            ...(origins.length === 0 ? ["origins: give at least one media bucket (the primary region's first)"] : []),
            ...(new Set(regions).size !== regions.length ? [`origins: one bucket per region (got ${regions.join(", ")})`] : []),
            ...(args.failoverToReplica && origins.length < 2 ? ["failoverToReplica: needs a second origin (the replica)"] : []),
            ...hostsOutsideZone([host], args.zoneName).map((h) => `host: ${h} is not in the zone ${args.zoneName}`),
            ...(priceClasses.includes(priceClass) ? [] : [`priceClass: "${priceClass}" is not one of ${priceClasses.join(", ")}`]),
            ...rateLimitProblems(rateLimit),
        ];
        if (problems.length > 0) throw new Error(`MediaCdn ${name}: ${problems.join("; ")}`);

        const global: pulumi.CustomResourceOptions = { parent: this, provider: args.globalProvider };
        const zoneId = lookupZone(args.zoneName, this, args.globalProvider).zoneId;
        // CloudFront only takes certificates from us-east-1.
        const { validation } = createValidatedCertificate(
            `${name}-certificate`,
            { hosts: [host], zoneId, provider: args.globalProvider, tags: args.tags },
            this,
        );
        // One bucket for both logs, in us-east-1 where the CLOUDFRONT-scope ACL lives (WAF logs only to
        // its own region) and named aws-waf-logs-* as WAF requires. CloudFront's standard (legacy)
        // logging writes through the awslogsdelivery account's ACL grant, which CloudFront adds to the
        // bucket itself when logging is switched on: "Your bucket must have access control list (ACL)
        // enabled" (CloudFront Developer Guide, "Configure standard logging (legacy)"). SSE-S3:
        // that guide's SSE-KMS path needs the awslogsdelivery account in the key policy, not checked here.
        const logs = args.logs ? createCdnLogs(name, args.logs, args.globalProvider, args.tags, this) : undefined;
        const acl = createWebAcl(
            `${name}-waf`,
            {
                scope: "CLOUDFRONT",
                rateLimitPer5Min: rateLimit,
                description: `Saleor media CDN ${host}`,
                logDestinationArn: logs?.arn,
                tags: args.tags,
            },
            global,
        );

        const accessControl = new aws.cloudfront.OriginAccessControl(
            `${name}-oac`,
            {
                description: `Signs CloudFront's requests to the media bucket of ${host}`,
                originAccessControlOriginType: "s3",
                signingBehavior: "always",
                signingProtocol: "sigv4",
            },
            global,
        );

        // AWS's managed CachingOptimized (CloudFront Developer Guide, "Use managed cache policies": minimum
        // TTL 1 s, default 86,400 s, maximum 31,536,000 s, compressed objects cached, no cookies or query
        // strings in the key), plus the CORS headers in the key. Forwarded but not keyed (an origin request
        // policy), S3's answer to one shop's Origin would be cached and served to every other origin
        // (CloudFront Developer Guide, "Controlling origin requests": such values "are not included
        // in the cache key"); headers in the cache key are forwarded to the origin as well.
        const cachePolicy = new aws.cloudfront.CachePolicy(
            `${name}-cache`,
            {
                // Account-wide names: the host is the stack's own.
                name: `saleor-media-${host.replace(/\./g, "-")}`,
                comment: `Saleor media ${host}: CachingOptimized with the CORS request headers in the key`,
                minTtl: 1,
                defaultTtl: 86400,
                maxTtl: 31536000,
                parametersInCacheKeyAndForwardedToOrigin: {
                    enableAcceptEncodingGzip: true,
                    enableAcceptEncodingBrotli: true,
                    cookiesConfig: { cookieBehavior: "none" },
                    queryStringsConfig: { queryStringBehavior: "none" },
                    headersConfig: { headerBehavior: "whitelist", headers: { items: corsHeaders } },
                },
            },
            global,
        );

        const distribution = new aws.cloudfront.Distribution(
            name,
            {
                enabled: true,
                comment: `Saleor media: ${host}`,
                aliases: [host],
                isIpv6Enabled: true,
                httpVersion: "http2and3",
                priceClass,
                origins: origins.map((o) => ({
                    originId: originIdOf(o.region),
                    domainName: o.bucketRegionalDomainName,
                    originAccessControlId: accessControl.id,
                })),
                // CloudFront retries a GET on the replica when the primary's bucket errors; an origin group has exactly two members.
                originGroups: args.failoverToReplica
                    ? [
                          {
                              originId: failoverGroupId,
                              failoverCriteria: { statusCodes: [500, 502, 503, 504] },
                              members: origins.slice(0, 2).map((o) => ({ originId: originIdOf(o.region) })),
                          },
                      ]
                    : undefined,
                defaultCacheBehavior: {
                    targetOriginId: args.failoverToReplica ? failoverGroupId : originIdOf(origins[0].region),
                    viewerProtocolPolicy: "redirect-to-https",
                    allowedMethods: ["GET", "HEAD", "OPTIONS"],
                    cachedMethods: ["GET", "HEAD"],
                    compress: true,
                    cachePolicyId: cachePolicy.id,
                },
                restrictions: { geoRestriction: { restrictionType: "none" } },
                viewerCertificate: {
                    acmCertificateArn: validation.certificateArn,
                    sslSupportMethod: "sni-only",
                    minimumProtocolVersion: "TLSv1.2_2021",
                },
                webAclId: acl.arn,
                // Cookies stay out: media needs none, and a shopper's session cookie does not belong in a log.
                loggingConfig: logs
                    ? { bucket: pulumi.interpolate`${logs.name}.s3.amazonaws.com`, prefix: "cloudfront/", includeCookies: false }
                    : undefined,
                tags: args.tags,
            },
            global,
        );

        // Only this distribution, and only to read: the Allow names the service and pins the distribution.
        const fromThisDistribution = { StringEquals: { "AWS:SourceArn": distribution.arn } };
        for (const origin of origins) {
            const regional: pulumi.CustomResourceOptions = { parent: this, ...(origin.provider ? { provider: origin.provider } : {}) };
            const kept = origin.bucketPolicyStatements ?? [];
            const bucketStatements: PolicyStatement[] = [
                ...(kept.some((s) => s.Sid === "DenyInsecureTransport") ? kept : [denyInsecureTransport(origin.bucketArn), ...kept]),
                {
                    Sid: "AllowCloudFrontRead",
                    Effect: "Allow",
                    Principal: { Service: "cloudfront.amazonaws.com" },
                    Action: "s3:GetObject",
                    Resource: pulumi.interpolate`${origin.bucketArn}/*`,
                    Condition: fromThisDistribution,
                },
            ];
            new aws.s3.BucketPolicy(
                `${name}-${origin.region}-bucket-policy`,
                {
                    bucket: origin.bucketName,
                    policy: policyDocument(bucketStatements),
                },
                { ...regional, dependsOn: origin.bucketPolicyDependsOn, aliases: origin.bucketPolicyAliases },
            );

            if (origin.key) {
                // Objects are SSE-KMS encrypted: CloudFront must be able to decrypt what it reads, for this distribution only.
                new aws.kms.KeyPolicy(
                    `${name}-${origin.region}-key-policy`,
                    {
                        keyId: origin.key.id,
                        policy: policyDocument([
                            ...(origin.key.policyStatements ?? [accountAdministersKey(origin.key.arn)]),
                            {
                                Sid: "AllowCloudFrontDecrypt",
                                Effect: "Allow",
                                Principal: { Service: "cloudfront.amazonaws.com" },
                                Action: "kms:Decrypt",
                                Resource: "*",
                                Condition: fromThisDistribution,
                            },
                        ]),
                    },
                    regional,
                );
            }
        }

        // CloudFront answers alias queries for IPv4 and IPv6 from its own hosted zone.
        const records = ["A", "AAAA"].map(
            (type) =>
                new aws.route53.Record(
                    `${name}-${type.toLowerCase()}`,
                    {
                        zoneId,
                        name: host,
                        type,
                        aliases: [{ name: distribution.domainName, zoneId: distribution.hostedZoneId, evaluateTargetHealth: false }],
                    },
                    global,
                ),
        );

        this.domainName = pulumi.all(records.map((r) => r.name)).apply(() => host);
        this.distributionDomainName = distribution.domainName;
        this.distributionArn = distribution.arn;
        this.distributionId = distribution.id;
        this.webAclArn = acl.arn;
        this.registerOutputs({
            domainName: this.domainName,
            distributionDomainName: this.distributionDomainName,
            distributionArn: this.distributionArn,
            distributionId: this.distributionId,
            webAclArn: this.webAclArn,
        });
    }
}

/** The CDN's log bucket in us-east-1, which WAF writes to as delivery.logs.amazonaws.com (see MediaCdn). */
function createCdnLogs(
    name: string,
    logs: NonNullable<MediaCdnArgs["logs"]>,
    globalProvider: aws.Provider,
    tags: Record<string, string> | undefined,
    parent: pulumi.Resource,
): LogBucket {
    const accountId = aws.getCallerIdentityOutput({}, { parent, provider: globalProvider }).accountId;
    return createLogBucket(
        `${name}-logs`,
        {
            bucketName: logBucketName("cdn", accountId, "aws-waf-logs-"),
            expirationDays: logs.expirationDays,
            aclsEnabled: true,
            writers: deliveredLogWriters(accountId),
            protect: logs.protect,
            provider: globalProvider,
            tags,
        },
        parent,
    );
}

/**
 * Connection facts whose S3 media is served from `domain` (AWS_MEDIA_CUSTOM_DOMAIN): Saleor then
 * writes media URLs on the CDN's host instead of the bucket's. Facts without S3 media pass unchanged.
 */
export function withMediaCustomDomain(connection: ConnectionFacts, domain: pulumi.Output<string>): ConnectionFacts {
    return connection.media.kind === "s3" ? { ...connection, media: { ...connection.media, customDomain: domain } } : connection;
}
