import * as assert from "assert";
import { ecrLifecyclePolicyAttached, s3PublicAccessBlocked, s3ServerSideEncrypted, s3VersioningEnabled } from "../../../policy/stack";
import { bucket, bucketEncryption, bucketVersioning, ecrLifecyclePolicy, ecrRepository, publicAccessBlock } from "../fixtures/aws";
import { stackOutcome, stackViolations, UNKNOWN_VALUE, urnFor } from "../harness";

describe("S3 bucket companion rules", () => {
    const media = bucket("media");

    describe("aws-s3-bucket-public-access-blocked", () => {
        it("a bucket without a public access block is a violation on the bucket", async () => {
            const violations = await stackViolations(s3PublicAccessBlocked, [media]);
            assert.deepStrictEqual(violations, [
                {
                    urn: urnFor(media),
                    message:
                        'S3 bucket "media" has no public access block; add an aws.s3.BucketPublicAccessBlock for it with blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets set to true.',
                },
            ]);
        });
        it("a block that leaves a flag off is a violation on the block", async () => {
            const block = publicAccessBlock(media, { restrictPublicBuckets: false });
            const violations = await stackViolations(s3PublicAccessBlocked, [media, block]);
            assert.strictEqual(violations.length, 1);
            assert.strictEqual(violations[0].urn, urnFor(block));
            assert.match(violations[0].message, /leaves restrictPublicBuckets off; set all four to true/);
        });
        it("a bucket with all four blocks passes", async () =>
            assert.deepStrictEqual(await stackViolations(s3PublicAccessBlocked, [media, publicAccessBlock(media)]), []));
        it("a block linked by bucket name (no recorded dependency) counts", async () => {
            const block = { ...publicAccessBlock(media), dependencies: [] };
            assert.deepStrictEqual(await stackViolations(s3PublicAccessBlocked, [media, block]), []);
        });
        it("a block whose bucket is unknown during preview might be this bucket's: no violation", async () => {
            const block = { ...publicAccessBlock(media), dependencies: [], props: { bucket: UNKNOWN_VALUE, blockPublicAcls: true } };
            assert.deepStrictEqual(await stackViolations(s3PublicAccessBlocked, [media, block]), []);
        });
        it("unknown flags are not a violation", async () =>
            assert.deepStrictEqual(
                await stackViolations(s3PublicAccessBlocked, [media, publicAccessBlock(media, { blockPublicPolicy: UNKNOWN_VALUE })]),
                [],
            ));
        it("does not apply to a stack without buckets", async () =>
            assert.match((await stackOutcome(s3PublicAccessBlocked, [])).notApplicable ?? "", /no aws:s3\/bucket:Bucket/));
    });

    describe("aws-s3-bucket-server-side-encrypted", () => {
        it("a bucket without an encryption configuration is a violation", async () =>
            assert.match(
                (await stackViolations(s3ServerSideEncrypted, [media]))[0].message,
                /has no encryption configuration; add an aws.s3.BucketServerSideEncryptionConfiguration/,
            ));
        it("a configuration without a default algorithm is a violation", async () => {
            const violations = await stackViolations(s3ServerSideEncrypted, [
                media,
                bucketEncryption(media, { rules: [{ bucketKeyEnabled: true }] }),
            ]);
            assert.match(
                violations[0].message,
                /sets no default encryption; add a rule with applyServerSideEncryptionByDefault.sseAlgorithm "aws:kms"/,
            );
        });
        it("SSE-KMS passes", async () =>
            assert.deepStrictEqual(await stackViolations(s3ServerSideEncrypted, [media, bucketEncryption(media)]), []));
        it("an unknown algorithm is not a violation", async () =>
            assert.deepStrictEqual(
                await stackViolations(s3ServerSideEncrypted, [
                    media,
                    bucketEncryption(media, { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: UNKNOWN_VALUE } }] }),
                ]),
                [],
            ));
    });

    describe("aws-s3-bucket-versioning-enabled", () => {
        it("an unversioned bucket is a violation", async () =>
            assert.match(
                (await stackViolations(s3VersioningEnabled, [media]))[0].message,
                /is not versioned; add an aws.s3.BucketVersioning with versioningConfiguration.status "Enabled"/,
            ));
        it("suspended versioning is a violation", async () =>
            assert.match(
                (
                    await stackViolations(s3VersioningEnabled, [
                        media,
                        bucketVersioning(media, { versioningConfiguration: { status: "Suspended" } }),
                    ])
                )[0].message,
                /has status Suspended/,
            ));
        it("enabled versioning passes", async () =>
            assert.deepStrictEqual(await stackViolations(s3VersioningEnabled, [media, bucketVersioning(media)]), []));
        it("an unknown status is not a violation", async () =>
            assert.deepStrictEqual(
                await stackViolations(s3VersioningEnabled, [
                    media,
                    bucketVersioning(media, { versioningConfiguration: { status: UNKNOWN_VALUE } }),
                ]),
                [],
            ));
    });
});

describe("ECR companion rules", () => {
    describe("aws-ecr-repository-lifecycle-policy-attached", () => {
        const repository = ecrRepository();
        it("a repository without a lifecycle policy is a violation on the repository", async () => {
            const violations = await stackViolations(ecrLifecyclePolicyAttached, [
                repository,
                ecrRepository({}, "saleor-storefront"),
                ecrLifecyclePolicy(repository),
            ]);
            assert.deepStrictEqual(
                violations.map((v) => v.urn),
                [urnFor(ecrRepository({}, "saleor-storefront"))],
            );
            assert.match(
                violations[0].message,
                /^ECR repository "saleor-storefront" keeps every image forever; add an aws.ecr.LifecyclePolicy/,
            );
        });
        it("a repository with a lifecycle policy passes", async () =>
            assert.deepStrictEqual(await stackViolations(ecrLifecyclePolicyAttached, [repository, ecrLifecyclePolicy(repository)]), []));
        it("a policy whose repository is unknown during preview might be this one's: no violation", async () => {
            const pending = { ...ecrLifecyclePolicy(repository), dependencies: [], props: { repository: UNKNOWN_VALUE, policy: "{}" } };
            assert.deepStrictEqual(await stackViolations(ecrLifecyclePolicyAttached, [repository, pending]), []);
        });
        it("a policy for another repository does not count", async () => {
            const other = ecrRepository({}, "other");
            assert.strictEqual(
                (await stackViolations(ecrLifecyclePolicyAttached, [repository, other, ecrLifecyclePolicy(other)])).length,
                1,
            );
        });
    });
});
