import { secretsManagerCustomerKey } from "../../../policy/aws/secretsmanager";
import { secretsManagerSecret } from "../fixtures/aws";
import { assertPasses, assertViolates, UNKNOWN_VALUE } from "../harness";

describe("Secrets Manager rules", () => {
    describe("aws-secretsmanager-secret-customer-managed-key", () => {
        it("a secret without kmsKeyId (the AWS managed aws/secretsmanager key) is a violation", () =>
            assertViolates(
                secretsManagerCustomerKey,
                secretsManagerSecret({ kmsKeyId: undefined }),
                /is encrypted with the AWS managed key aws\/secretsmanager; set kmsKeyId to the stack's KMS key/,
            ));
        it("naming the AWS managed key by its alias is a violation too", () =>
            assertViolates(secretsManagerCustomerKey, secretsManagerSecret({ kmsKeyId: "alias/aws/secretsmanager" }), /kmsKeyId/));
        it("a replica without its own kmsKeyId is a violation naming the replica's region", () =>
            assertViolates(
                secretsManagerCustomerKey,
                secretsManagerSecret({ replicas: [{ region: "eu-west-1" }] }),
                /replica in eu-west-1 .*set replicas\[0\]\.kmsKeyId/,
            ));
        it("a secret and its replicas under customer-managed keys pass", () =>
            assertPasses(secretsManagerCustomerKey, secretsManagerSecret()));
        it("an unknown key is not a violation", () =>
            assertPasses(secretsManagerCustomerKey, secretsManagerSecret({ kmsKeyId: UNKNOWN_VALUE })));
    });
});
