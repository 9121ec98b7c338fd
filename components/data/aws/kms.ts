import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

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
    return new aws.kms.Key(name, {
        description: args.description,
        enableKeyRotation: true,
        // Deleting the key makes every snapshot and object it encrypted unreadable: production
        // keeps the longest window AWS allows to cancel a deletion.
        deletionWindowInDays: args.protect ? 30 : 7,
        tags: args.tags,
    }, { parent, protect: args.protect });
}
