import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createDataKey } from "../../aws/kms";

export interface BackupVaultArgs {
    /** Region of the vault; must be the region of the AWS provider passed in options. */
    readonly region: string;
    /** Protect the vault and its key from deletion, and keep the key 30 days after a deletion request (production). */
    readonly protect: boolean;
    readonly tags?: Record<string, string>;
}

/**
 * One region's AWS Backup vault, with a key of its own. Every AWS region of a stack has one, made
 * by index.ts before the data tiers: the primary's plan (`AwsDataArgs.backup`) keeps its recovery
 * points in its own region's vault and, with `operations.drBackupCopy`, copies each into the other
 * regions' vaults, so a lost primary region still leaves 30 days of restorable database snapshots
 * and media backups elsewhere.
 *
 * Vaults belong to regions, not roles: a failover (roles swapped in config) moves the plan to the
 * new primary and reverses the copy, and every recovery point stays where it is. The key is the
 * region's own: KMS keys never leave their region, and a copy is re-encrypted with the
 * destination vault's key.
 */
export class BackupVault extends pulumi.ComponentResource {
    public readonly vault: aws.backup.Vault;
    public readonly key: aws.kms.Key;
    /** What `AwsDataArgs.backup.copyToVaultArns` takes from the other regions' vaults. */
    public readonly arn: pulumi.Output<string>;
    public readonly vaultName: pulumi.Output<string>;

    constructor(name: string, args: BackupVaultArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:BackupVault", name, {}, opts);
        this.key = createDataKey(
            `${name}-key`,
            {
                description: `Saleor backups, and copies of other regions' backups (${args.region})`,
                protect: args.protect,
                tags: args.tags,
            },
            this,
        );
        this.vault = new aws.backup.Vault(
            name,
            {
                kmsKeyArn: this.key.arn,
                // A vault holding recovery points cannot be deleted; outside production it may be emptied first.
                forceDestroy: !args.protect,
                tags: args.tags,
            },
            { parent: this, protect: args.protect },
        );
        this.arn = this.vault.arn;
        this.vaultName = this.vault.name;
        this.registerOutputs({ arn: this.arn, vaultName: this.vaultName, keyArn: this.key.arn });
    }
}
