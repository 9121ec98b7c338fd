import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createServiceRole } from "../../aws/iam";

export interface WriterBackupArgs {
    readonly writer: aws.rds.Instance;
    /**
     * Buckets backed up with the writer (media, private files); each must be versioned (AWS Backup
     * requires it for S3). Default: none.
     */
    readonly buckets?: readonly { readonly arn: pulumi.Input<string>; readonly versioning: pulumi.Resource }[];
    /** The vault recovery points go to: this region's (BackupVault). */
    readonly vaultName: pulumi.Input<string>;
    /** Hours between two snapshots. */
    readonly intervalHours: number;
    /** Days each snapshot is kept, in this vault and in the copy. */
    readonly retentionDays: number;
    /** Vaults in other regions (BackupVault) that receive a copy of every recovery point. Default: no copy. */
    readonly copyToVaultArns?: pulumi.Input<string>[];
    readonly tags?: Record<string, string>;
    /** The backup role's permissions boundary. */
    readonly permissionsBoundary: string;
}

/** AWS-managed policies of the backup role: RDS snapshots, S3 backups, and restores of both (restore tests). */
export const backupRolePolicies = [
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
    "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
];

/**
 * AWS Backup snapshots of the writer (and the media bucket) on the production guide's schedule
 * (the Production Deployment Guide: every 6 hours, kept 30 days). They complement RDS's own automated backups
 * (point-in-time recovery, `backupRetentionPeriod`): recovery points in a vault outlive the
 * instance, a restore test can pick one directly, and with `copyToVaultArns` each one is copied to
 * the secondary region, so losing the primary region does not lose the backups.
 *
 * The vaults are not made here: they belong to regions, and this plan to the primary's role. After
 * a failover the new primary's plan writes into its own region's vault and copies to the old one's.
 */
export function createWriterBackups(name: string, args: WriterBackupArgs, parent: pulumi.Resource) {
    const opts: pulumi.CustomResourceOptions = { parent };
    const lifecycle = { deleteAfter: args.retentionDays };
    const plan = new aws.backup.Plan(
        `${name}-backups`,
        {
            rules: [
                {
                    ruleName: `every-${args.intervalHours}h`,
                    targetVaultName: args.vaultName,
                    schedule: `cron(0 */${args.intervalHours} * * ? *)`,
                    startWindow: 60,
                    completionWindow: 60 * args.intervalHours,
                    lifecycle,
                    // The copy is kept as long as the original: a region lost on day 29 still leaves 30 days.
                    copyActions: args.copyToVaultArns?.length
                        ? args.copyToVaultArns.map((destinationVaultArn) => ({ destinationVaultArn, lifecycle }))
                        : undefined,
                },
            ],
            tags: args.tags,
        },
        opts,
    );
    const { role, permissions } = createServiceRole(
        `${name}-backups`,
        {
            service: "backup.amazonaws.com",
            managedPolicyArns: backupRolePolicies,
            tags: args.tags,
            permissionsBoundary: args.permissionsBoundary,
        },
        parent,
    );
    const selection = new aws.backup.Selection(
        `${name}-backups`,
        {
            planId: plan.id,
            iamRoleArn: role.arn,
            resources: [args.writer.arn, ...(args.buckets ?? []).map((b) => b.arn)],
        },
        { parent, dependsOn: [...permissions, ...(args.buckets ?? []).map((b) => b.versioning)] },
    );
    return { plan, selection, role };
}
