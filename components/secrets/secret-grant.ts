import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface SecretReadGrantArgs {
    /** The reader (External Secrets Operator's Pod Identity role). */
    readonly role: aws.iam.Role;
    /** The one secret it may read, by full ARN. */
    readonly secretArn: pulumi.Input<string>;
    /** The statement's Sid. */
    readonly sid: string;
}

/**
 * Read access to exactly one Secrets Manager secret outside the stack's `saleor/<stack>/` names (the
 * secret RDS keeps the writer's master credentials in, `rds!db-…`): DescribeSecret and
 * GetSecretValue, the two calls External Secrets makes for a `dataFrom.extract` by ARN (its AWS
 * provider docs, "IAM Policy", list these with GetResourcePolicy and ListSecretVersionIds, which an
 * extract of the current version does not need; not verified against a live controller here).
 * Decrypting it needs kms:Decrypt on the secret's key through Secrets Manager, which the region's
 * own secrets already grant the same role (SecretsManagerSecrets `readers`: the same data key).
 */
export function createSecretReadGrant(
    name: string,
    args: SecretReadGrantArgs,
    opts: pulumi.CustomResourceOptions = {},
): aws.iam.RolePolicy {
    return new aws.iam.RolePolicy(
        name,
        {
            role: args.role.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: args.sid,
                        Effect: "Allow",
                        Action: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                        Resource: args.secretArn,
                    },
                ],
            }),
        },
        opts,
    );
}
