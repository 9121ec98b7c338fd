import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createDataKey } from "../../aws/kms";
import { policyDocument } from "../../aws/iam";
import { vaultLock } from "../../../catalog/backup";

/**
 * What nobody may do to a locked vault's recovery points, whatever their IAM policies allow: the
 * actions the AWS Config rule backup-recovery-point-manual-deletion-disabled requires a vault's
 * policy to deny (DeleteRecoveryPoint, UpdateRecoveryPointLifecycle, PutBackupVaultAccessPolicy)
 * plus removing the policy or the vault. A vault access policy controls the AWS Backup API only
 * (AWS Backup Developer Guide, "Vault access policies"); AWS Backup access policies take no
 * wildcard in Action, so each is named.
 */
export const deniedVaultActions = [
    "backup:DeleteRecoveryPoint",
    "backup:UpdateRecoveryPointLifecycle",
    "backup:PutBackupVaultAccessPolicy",
    "backup:DeleteBackupVaultAccessPolicy",
    "backup:DeleteBackupVault",
];

export interface BackupVaultArgs {
    /** Region of the vault; must be the region of the AWS provider passed in options. */
    readonly region: string;
    /** Protect the vault and its key from deletion, and keep the key 30 days after a deletion request (production). */
    readonly protect: boolean;
    /**
     * Lock the vault in compliance mode (catalog/backup.ts) and deny every principal deleting a
     * recovery point, shortening its life, or rewriting or removing the vault's policy (production).
     * Default: false.
     */
    readonly lock?: boolean;
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
        if (args.lock) {
            // Compliance, not governance: a governance lock can be removed by anyone allowed
            // backup:DeleteBackupVaultLockConfiguration, which is who an attacker with the deploy
            // role would be. Compliance leaves a 3-day window (changeableForDays) to correct a
            // mistake with `pulumi up`; after it, the lock and every recovery point's retention are
            // beyond anyone's reach, AWS's included (AWS Backup Developer Guide, "Vault lock modes").
            new aws.backup.VaultLockConfiguration(
                `${name}-lock`,
                { backupVaultName: this.vault.name, ...vaultLock },
                { parent: this, protect: args.protect },
            );
            // Write-once: denying PutBackupVaultAccessPolicy and DeleteBackupVaultAccessPolicy to
            // everyone means a later change to this statement fails at `pulumi up`.
            new aws.backup.VaultPolicy(
                `${name}-policy`,
                {
                    backupVaultName: this.vault.name,
                    policy: policyDocument([
                        {
                            Sid: "DenyDeletingRecoveryPoints",
                            Effect: "Deny",
                            Principal: { AWS: "*" },
                            Action: deniedVaultActions,
                            Resource: "*",
                        },
                    ]),
                },
                { parent: this, protect: args.protect },
            );
        }
        this.arn = this.vault.arn;
        this.vaultName = this.vault.name;
        this.registerOutputs({ arn: this.arn, vaultName: this.vaultName, keyArn: this.key.arn });
    }
}
