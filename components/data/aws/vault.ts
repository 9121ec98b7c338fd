import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createDataKey } from "./kms";

export interface BackupVaultArgs {
    /** Region of the vault; must be the region of the AWS provider passed in options (the secondary). */
    readonly region: string;
    /** Protect the vault and its key from deletion, and keep the key 30 days after a deletion request (production). */
    readonly protect: boolean;
    readonly tags?: Record<string, string>;
}

/**
 * The disaster-recovery vault: AWS Backup copies every recovery point of the primary's plan here
 * (`AwsDataArgs.backup.copyToVaultArn`), so a lost primary region still leaves 30 days of restorable
 * database snapshots and media backups in the secondary.
 *
 * Its own component, created by index.ts in the secondary region before the data tiers: the
 * primary's plan names it as a copy destination, so it must exist first, and it belongs to no
 * region's tier (the secondary's tier depends on the primary's, not the other way round). The key is
 * the secondary's own: KMS keys never leave their region, and a copy is re-encrypted with the
 * destination vault's key.
 */
export class BackupVault extends pulumi.ComponentResource {
    public readonly vault: aws.backup.Vault;
    public readonly key: aws.kms.Key;
    /** What `AwsDataArgs.backup.copyToVaultArn` takes. */
    public readonly arn: pulumi.Output<string>;
    public readonly vaultName: pulumi.Output<string>;

    constructor(name: string, args: BackupVaultArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:BackupVault", name, {}, opts);
        this.key = createDataKey(`${name}-key`, {
            description: `Saleor disaster-recovery copies of backups (${args.region})`,
            protect: args.protect,
            tags: args.tags,
        }, this);
        this.vault = new aws.backup.Vault(name, {
            kmsKeyArn: this.key.arn,
            // A vault holding recovery points cannot be deleted; outside production it may be emptied first.
            forceDestroy: !args.protect,
            tags: args.tags,
        }, { parent: this, protect: args.protect });
        this.arn = this.vault.arn;
        this.vaultName = this.vault.name;
        this.registerOutputs({ arn: this.arn, vaultName: this.vaultName, keyArn: this.key.arn });
    }
}
