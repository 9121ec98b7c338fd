import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { Environment } from "./config";
import { secretsKeyAlias } from "./naming";

/**
 * The key `env`'s stacks encrypt their secrets with (`pulumi stack init --secrets-provider
 * awskms://alias/...`, research §9): one per environment, so the staging role, which is denied the
 * production alias, can never decrypt a production secret. KMS's default key policy (the account,
 * and so IAM, governs the key); the deploy roles' policies say who may use it. Deleting it makes
 * every secret in those stacks unreadable: protected, with the longest deletion window.
 */
export function createSecretsKey(
    env: Environment,
    parent: pulumi.Resource,
    provider: aws.Provider,
): { key: aws.kms.Key; alias: aws.kms.Alias } {
    const key = new aws.kms.Key(
        `${env}-secrets`,
        {
            description: `Pulumi secrets provider of the ${env} stacks`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            tags: { "saleor:environment": env },
        },
        { parent, provider, protect: true },
    );
    const alias = new aws.kms.Alias(`${env}-secrets`, { name: secretsKeyAlias(env), targetKeyId: key.keyId }, { parent, provider });
    return { key, alias };
}
