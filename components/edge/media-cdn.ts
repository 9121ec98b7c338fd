import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ConnectionFacts } from "../data";
import { denyInsecureTransport } from "../data/aws/bucket";
import { policyDocument, type PolicyStatement } from "../data/aws/iam";
import { accountAdministersKey } from "../data/aws/kms";
import { createValidatedCertificate, hostsOutsideZone, lookupZone } from "./certificate";
import { createWebAcl, rateLimitProblems } from "./waf";

/** AWS's managed "CachingOptimized" cache policy: long TTLs, gzip and brotli, no headers, cookies or query strings in the key. */
export const cachingOptimizedPolicyId = "658327ea-f89d-4fab-a63d-7e88639e58f6";

const priceClasses = ["PriceClass_100", "PriceClass_200", "PriceClass_All"];
const originId = "media-bucket";

/**
 * What MediaCdn needs of the bucket. The data tier's `aws.mediaCdnOrigin` (with `media.cdn` on) has
 * exactly these fields, so `{ ...tier.aws.mediaCdnOrigin, zoneName, globalProvider }` is a complete Args.
 */
export interface MediaCdnArgs {
    /** The media bucket: the distribution's only origin. */
    readonly bucketName: pulumi.Input<string>;
    readonly bucketArn: pulumi.Input<string>;
    /** The bucket's regional endpoint (bucket.s3.<region>.amazonaws.com), never the website endpoint. */
    readonly bucketRegionalDomainName: pulumi.Input<string>;
    /**
     * Statements the bucket's one policy must keep besides CloudFront's read grant. The TLS-only deny
     * is added when missing. Default: the TLS-only deny alone.
     */
    readonly bucketPolicyStatements?: PolicyStatement[];
    /** What the bucket policy waits for (the bucket's public access block). Default: nothing. */
    readonly bucketPolicyDependsOn?: pulumi.Resource[];
    /** Earlier names of the bucket's policy, so taking it over updates it in place. Default: none. */
    readonly bucketPolicyAliases?: pulumi.Input<pulumi.Alias>[];
    /**
     * The bucket's SSE-KMS key: its policy is written here with CloudFront's decrypt grant added to
     * `policyStatements` (default: the account administering the key, as KMS's default policy does).
     * Omit for a bucket without a customer-managed key.
     */
    readonly key?: { readonly id: pulumi.Input<string>; readonly arn: pulumi.Input<string>; readonly policyStatements?: PolicyStatement[] };
    /** Public Route 53 hosted zone of `host`. */
    readonly zoneName: string;
    /**
     * The CDN's host name (AWS_MEDIA_CUSTOM_DOMAIN). A host of our own is what makes TLS 1.2 the
     * minimum: on the default *.cloudfront.net name CloudFront always accepts TLS 1.0. Default: "media.<zoneName>".
     */
    readonly host?: string;
    /**
     * AWS provider for us-east-1, where CloudFront keeps its WAF web ACLs (scope CLOUDFRONT) and its
     * ACM certificates. Only those two (and the certificate's validation) use it.
     */
    readonly globalProvider: aws.Provider;
    /** Requests one client IP may make in 5 minutes. Default: 10000 (a product listing loads dozens of images). */
    readonly rateLimitPer5Min?: number;
    /** Edge locations served: PriceClass_100 (North America and Europe), _200 or _All. Default: "PriceClass_100". */
    readonly priceClass?: string;
    readonly tags?: Record<string, string>;
}

/**
 * CloudFront in front of the primary region's media bucket. The bucket stays private: CloudFront
 * signs every origin request (Origin Access Control, SigV4) and the bucket policy admits that one
 * distribution only, next to the TLS-only deny. Viewers get HTTPS only (HTTP redirects), TLS 1.2
 * or newer on our own host name, HTTP/2 and HTTP/3, compression, and a CLOUDFRONT-scope WAF.
 *
 * The bucket policy and the key policy are written here, not by the data tier: the distribution
 * needs the bucket first, and both policies need the distribution's ARN. The data tier (with
 * `media.cdn`) therefore writes neither and hands over what they must keep.
 *
 * Options: `providers` with the AWS provider of the bucket's region (distribution, bucket and key
 * policies, DNS); `args.globalProvider` for what CloudFront requires in us-east-1.
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
        const problems = [
            ...hostsOutsideZone([host], args.zoneName).map((h) => `host: ${h} is not in the zone ${args.zoneName}`),
            ...(priceClasses.includes(priceClass) ? [] : [`priceClass: "${priceClass}" is not one of ${priceClasses.join(", ")}`]),
            ...rateLimitProblems(rateLimit),
        ];
        if (problems.length > 0) throw new Error(`MediaCdn ${name}: ${problems.join("; ")}`);

        const global: pulumi.CustomResourceOptions = { parent: this, provider: args.globalProvider };
        const zoneId = lookupZone(args.zoneName, this).zoneId;
        // CloudFront only takes certificates from us-east-1.
        const { validation } = createValidatedCertificate(`${name}-certificate`, { hosts: [host], zoneId, provider: args.globalProvider, tags: args.tags }, this);
        const acl = createWebAcl(`${name}-waf`, {
            scope: "CLOUDFRONT",
            rateLimitPer5Min: rateLimit,
            description: `Saleor media CDN ${host}`,
            tags: args.tags,
        }, global);

        const accessControl = new aws.cloudfront.OriginAccessControl(`${name}-oac`, {
            description: `Signs CloudFront's requests to the media bucket of ${host}`,
            originAccessControlOriginType: "s3",
            signingBehavior: "always",
            signingProtocol: "sigv4",
        }, { parent: this });

        const distribution = new aws.cloudfront.Distribution(name, {
            enabled: true,
            comment: `Saleor media: ${host}`,
            aliases: [host],
            isIpv6Enabled: true,
            httpVersion: "http2and3",
            priceClass,
            origins: [{ originId, domainName: args.bucketRegionalDomainName, originAccessControlId: accessControl.id }],
            defaultCacheBehavior: {
                targetOriginId: originId,
                viewerProtocolPolicy: "redirect-to-https",
                allowedMethods: ["GET", "HEAD", "OPTIONS"],
                cachedMethods: ["GET", "HEAD"],
                compress: true,
                cachePolicyId: cachingOptimizedPolicyId,
            },
            restrictions: { geoRestriction: { restrictionType: "none" } },
            viewerCertificate: {
                acmCertificateArn: validation.certificateArn,
                sslSupportMethod: "sni-only",
                minimumProtocolVersion: "TLSv1.2_2021",
            },
            webAclId: acl.arn,
            tags: args.tags,
        }, { parent: this });

        // Only this distribution, and only to read: the Allow names the service and pins the distribution.
        const fromThisDistribution = { StringEquals: { "AWS:SourceArn": distribution.arn } };
        const kept = args.bucketPolicyStatements ?? [];
        const bucketStatements: PolicyStatement[] = [
            ...(kept.some((s) => s.Sid === "DenyInsecureTransport") ? kept : [denyInsecureTransport(args.bucketArn), ...kept]),
            {
                Sid: "AllowCloudFrontRead",
                Effect: "Allow",
                Principal: { Service: "cloudfront.amazonaws.com" },
                Action: "s3:GetObject",
                Resource: pulumi.interpolate`${args.bucketArn}/*`,
                Condition: fromThisDistribution,
            },
        ];
        new aws.s3.BucketPolicy(`${name}-bucket-policy`, {
            bucket: args.bucketName,
            policy: policyDocument(bucketStatements),
        }, { parent: this, dependsOn: args.bucketPolicyDependsOn, aliases: args.bucketPolicyAliases });

        if (args.key) {
            // Objects are SSE-KMS encrypted: CloudFront must be able to decrypt what it reads, for this distribution only.
            new aws.kms.KeyPolicy(`${name}-key-policy`, {
                keyId: args.key.id,
                policy: policyDocument([
                    ...(args.key.policyStatements ?? [accountAdministersKey(args.key.arn)]),
                    {
                        Sid: "AllowCloudFrontDecrypt",
                        Effect: "Allow",
                        Principal: { Service: "cloudfront.amazonaws.com" },
                        Action: "kms:Decrypt",
                        Resource: "*",
                        Condition: fromThisDistribution,
                    },
                ]),
            }, { parent: this });
        }

        // CloudFront answers alias queries for IPv4 and IPv6 from its own hosted zone.
        const records = ["A", "AAAA"].map((type) => new aws.route53.Record(`${name}-${type.toLowerCase()}`, {
            zoneId,
            name: host,
            type,
            aliases: [{ name: distribution.domainName, zoneId: distribution.hostedZoneId, evaluateTargetHealth: false }],
        }, { parent: this }));

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

/**
 * Connection facts whose S3 media is served from `domain` (AWS_MEDIA_CUSTOM_DOMAIN): Saleor then
 * writes media URLs on the CDN's host instead of the bucket's. Facts without S3 media pass unchanged.
 */
export function withMediaCustomDomain(connection: ConnectionFacts, domain: pulumi.Output<string>): ConnectionFacts {
    return connection.media.kind === "s3" ? { ...connection, media: { ...connection.media, customDomain: domain } } : connection;
}
