import { aws } from "../aws/types";
import { isKnown, known, knownList } from "../lib/unknown";
import { companionRule } from "./companion";

const bucketLabel = (name: string) => `S3 bucket "${name}"`;

const publicAccessFlags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

export const s3PublicAccessBlocked = companionRule({
    name: "aws-s3-bucket-public-access-blocked",
    description:
        "Every S3 bucket must have an aws.s3.BucketPublicAccessBlock with all four blocks (public ACLs, public policies, ignore ACLs, restrict public buckets) on.",
    enforcementLevel: "mandatory",
    category: "security",
    subject: aws.s3.Bucket,
    subjectNameInput: "bucket",
    companion: aws.s3.BucketPublicAccessBlock,
    linkInput: "bucket",
    missing: (bucket) =>
        `${bucketLabel(bucket.name)} has no public access block; add an aws.s3.BucketPublicAccessBlock for it with ${publicAccessFlags.join(", ")} set to true.`,
    check: (block, resource) => {
        const off = publicAccessFlags.filter((flag) => {
            const value = known(() => block[flag]);
            return isKnown(value) && value !== true;
        });
        return off.length > 0 ? `Public access block "${resource.name}" leaves ${off.join(", ")} off; set all four to true.` : undefined;
    },
});

export const ALLOWED_SSE_ALGORITHMS: readonly string[] = ["aws:kms", "aws:kms:dsse", "AES256"];

export const s3ServerSideEncrypted = companionRule({
    name: "aws-s3-bucket-server-side-encrypted",
    description:
        "Every S3 bucket must have an aws.s3.BucketServerSideEncryptionConfiguration whose default encryption is SSE-KMS or SSE-S3.",
    enforcementLevel: "mandatory",
    category: "security",
    subject: aws.s3.Bucket,
    subjectNameInput: "bucket",
    companion: aws.s3.BucketServerSideEncryptionConfiguration,
    linkInput: "bucket",
    missing: (bucket) =>
        `${bucketLabel(bucket.name)} has no encryption configuration; add an aws.s3.BucketServerSideEncryptionConfiguration with applyServerSideEncryptionByDefault.sseAlgorithm "aws:kms".`,
    check: (configuration, resource) => {
        const rules = knownList(() => configuration.rules);
        if (rules.hasUnknown) {
            return undefined;
        }
        const algorithms = rules.items.map((rule) => known(() => rule.applyServerSideEncryptionByDefault?.sseAlgorithm));
        if (
            algorithms.some(
                (algorithm) => !isKnown(algorithm) || (typeof algorithm === "string" && ALLOWED_SSE_ALGORITHMS.includes(algorithm)),
            )
        ) {
            return undefined;
        }
        return `Encryption configuration "${resource.name}" sets no default encryption; add a rule with applyServerSideEncryptionByDefault.sseAlgorithm ${ALLOWED_SSE_ALGORITHMS.map((a) => `"${a}"`).join(" or ")}.`;
    },
});

export const s3VersioningEnabled = companionRule({
    name: "aws-s3-bucket-versioning-enabled",
    description:
        "Every S3 bucket must have an aws.s3.BucketVersioning with status Enabled, so overwritten and deleted media can be restored (and replicated).",
    enforcementLevel: "mandatory",
    category: "reliability",
    subject: aws.s3.Bucket,
    subjectNameInput: "bucket",
    companion: aws.s3.BucketVersioning,
    linkInput: "bucket",
    missing: (bucket) =>
        `${bucketLabel(bucket.name)} is not versioned; add an aws.s3.BucketVersioning with versioningConfiguration.status "Enabled".`,
    check: (versioning, resource) => {
        const status = known(() => versioning.versioningConfiguration?.status);
        return isKnown(status) && status !== "Enabled"
            ? `Versioning "${resource.name}" has status ${String(status)}; set versioningConfiguration.status to "Enabled".`
            : undefined;
    },
});
