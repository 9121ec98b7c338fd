import { resourceRule } from "../../lib/define";
import { known, UNKNOWN } from "../../lib/unknown";
import { aws } from "../types";

/** The AWS managed key Secrets Manager uses when a secret names none (r/secretsmanager_secret, kms_key_id). */
const awsManagedKey = "alias/aws/secretsmanager";

/**
 * A secret (and every replica of it) must be encrypted with a customer-managed KMS key: the AWS
 * managed key's policy cannot be narrowed, so anyone in the account allowed to read the secret can
 * decrypt it, and the key cannot be shared with a role outside the account. Terraform's
 * aws_secretsmanager_secret: `kms_key_id` "If you don't specify this value, then Secrets Manager
 * defaults to using the AWS account's default KMS key (the one named aws/secretsmanager)"; each
 * `replica` has its own `kms_key_id` with the same default in the replica's region.
 */
export const secretsManagerCustomerKey = resourceRule({
    name: "aws-secretsmanager-secret-customer-managed-key",
    description: "Secrets Manager secrets and their replicas must be encrypted with a customer-managed KMS key (kmsKeyId).",
    enforcementLevel: "mandatory",
    category: "security",
    type: aws.secretsmanager.Secret,
    validate: (secret, { args, report }) => {
        const unset = (key: unknown) => key === undefined || key === null || key === "" || key === awsManagedKey;
        const key = known(() => secret.kmsKeyId);
        if (key !== UNKNOWN && unset(key)) {
            report(`Secret "${args.name}" is encrypted with the AWS managed key aws/secretsmanager; set kmsKeyId to the stack's KMS key.`);
        }
        const replicas = known(() => secret.replicas);
        if (replicas === UNKNOWN || !Array.isArray(replicas)) return;
        replicas.forEach((_, i) => {
            const replicaKey = known(() => replicas[i].kmsKeyId);
            if (replicaKey !== UNKNOWN && unset(replicaKey)) {
                const region = known(() => replicas[i].region);
                report(
                    `Secret "${args.name}" has a replica in ${region === UNKNOWN ? "another region" : String(region)} under the AWS managed key; set replicas[${i}].kmsKeyId to that region's KMS key.`,
                );
            }
        });
    },
});
