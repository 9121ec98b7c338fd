import { ecrImmutableTags, ecrScanOnPush } from "../../../policy/aws/ecr";
import { kmsKeyRotation } from "../../../policy/aws/kms";
import { ecrRepository, kmsKey } from "../fixtures/aws";
import { assertPasses, assertViolates, UNKNOWN_VALUE } from "../harness";

describe("ECR repository rules", () => {
    describe("aws-ecr-repository-scan-on-push", () => {
        it("a repository that does not scan pushed images is a violation", () =>
            assertViolates(
                ecrScanOnPush,
                ecrRepository({ imageScanningConfiguration: undefined }),
                /does not scan pushed images; set imageScanningConfiguration: \{ scanOnPush: true \}/,
            ));
        it("a scanning repository passes", () => assertPasses(ecrScanOnPush, ecrRepository()));
        it("an unknown scanning setting is not a violation", () =>
            assertPasses(ecrScanOnPush, ecrRepository({ imageScanningConfiguration: { scanOnPush: UNKNOWN_VALUE } })));
    });

    describe("aws-ecr-repository-tags-immutable", () => {
        it("mutable tags are a violation", () =>
            assertViolates(
                ecrImmutableTags,
                ecrRepository({ imageTagMutability: "MUTABLE" }),
                /lets tags be overwritten; set imageTagMutability: "IMMUTABLE"/,
            ));
        it("the default (mutable) is a violation too", () =>
            assertViolates(ecrImmutableTags, ecrRepository({ imageTagMutability: undefined }), /IMMUTABLE/));
        it("immutable tags with exclusions pass", () =>
            assertPasses(ecrImmutableTags, ecrRepository({ imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" })));
        it("immutable tags pass", () => assertPasses(ecrImmutableTags, ecrRepository()));
        it("an unknown mutability is not a violation", () =>
            assertPasses(ecrImmutableTags, ecrRepository({ imageTagMutability: UNKNOWN_VALUE })));
    });
});

describe("KMS key rules", () => {
    describe("aws-kms-key-rotation-enabled", () => {
        it("a key that never rotates is a violation", () =>
            assertViolates(kmsKeyRotation, kmsKey({ enableKeyRotation: false }), /never rotates; set enableKeyRotation: true/));
        it("a rotating key passes", () => assertPasses(kmsKeyRotation, kmsKey()));
        it("asymmetric signing keys cannot rotate and are not judged", () =>
            assertPasses(kmsKeyRotation, kmsKey({ enableKeyRotation: false, customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" })));
        it("an unknown rotation flag is not a violation", () => assertPasses(kmsKeyRotation, kmsKey({ enableKeyRotation: UNKNOWN_VALUE })));
    });
});
