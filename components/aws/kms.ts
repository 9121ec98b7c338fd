import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PolicyStatement } from "./iam";

export interface DataKeyArgs {
    /** What the key encrypts, shown in the KMS console. */
    readonly description: string;
    readonly protect: boolean;
    readonly tags?: Record<string, string>;
}

/**
 * A customer-managed key in the tier's own region (KMS keys never leave their region, so each
 * region encrypts its copies with its own key).
 */
export function createDataKey(name: string, args: DataKeyArgs, parent: pulumi.Resource): aws.kms.Key {
    return new aws.kms.Key(
        name,
        {
            description: args.description,
            enableKeyRotation: true,
            // Deleting the key makes every snapshot and object it encrypted unreadable: production
            // keeps the longest window AWS allows to cancel a deletion.
            deletionWindowInDays: args.protect ? 30 : 7,
            tags: args.tags,
        },
        { parent, protect: args.protect },
    );
}

/**
 * The statement of KMS's default key policy: the owning account, and so its IAM policies, governs
 * the key. Our keys are created without a policy and get exactly this; whoever later writes a key
 * policy (MediaCdn, to let CloudFront decrypt) must keep it, or the workload and replication roles
 * lose the key and KMS refuses the policy as a lock-out. The account and partition come from the
 * key's own ARN, so no lookup is needed.
 */
export function accountAdministersKey(keyArn: pulumi.Input<string>): PolicyStatement {
    return {
        Sid: "EnableIamPolicies",
        Effect: "Allow",
        Principal: {
            AWS: pulumi.output(keyArn).apply((arn) => {
                const [, partition, , , account] = arn.split(":");
                return `arn:${partition}:iam::${account}:root`;
            }),
        },
        Action: "kms:*",
        // In a key policy, "*" is the key itself.
        Resource: "*",
    };
}
