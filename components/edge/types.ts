import type * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "../aws/iam";

// What a data tier hands MediaCdn, apart from MediaCdn so that the data tier's types can extend it
// without importing the component (which names the tier's ConnectionFacts: an import cycle).

/** One media bucket the distribution may read. A data tier's `aws.mediaCdnOrigin` (with `media.cdn` on) is one. */
export interface MediaCdnOriginArgs {
    /** The bucket's region: names the policies written for it, so they stay put when the order of origins changes. */
    readonly region: string;
    /** AWS provider of that region: the bucket and key policies are written through it. Default: the component's. */
    readonly provider?: pulumi.ProviderResource;
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
}
