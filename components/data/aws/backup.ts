import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createServiceRole } from "../../cluster/identity";

export interface WriterBackupArgs {
    readonly writer: aws.rds.Instance;
    readonly key: aws.kms.Key;
    /** Hours between two snapshots. */
    readonly intervalHours: number;
    /** Days each snapshot is kept. */
    readonly retentionDays: number;
    readonly protect: boolean;
    readonly tags?: Record<string, string>;
}

/**
 * AWS Backup snapshots of the writer on the production guide's schedule (seed 003: every 6 hours,
 * kept 30 days). They complement RDS's own automated backups: recovery points in a vault outlive
 * the instance, and a restore test can pick one directly.
 */
export function createWriterBackups(name: string, args: WriterBackupArgs, parent: pulumi.Resource) {
    const opts: pulumi.CustomResourceOptions = { parent };
    const vault = new aws.backup.Vault(`${name}-backups`, {
        kmsKeyArn: args.key.arn,
        forceDestroy: !args.protect,
        tags: args.tags,
    }, { parent, protect: args.protect });
    const plan = new aws.backup.Plan(`${name}-backups`, {
        rules: [{
            ruleName: `every-${args.intervalHours}h`,
            targetVaultName: vault.name,
            schedule: `cron(0 */${args.intervalHours} * * ? *)`,
            startWindow: 60,
            completionWindow: 60 * args.intervalHours,
            lifecycle: { deleteAfter: args.retentionDays },
        }],
        tags: args.tags,
    }, opts);
    const { role, permissions } = createServiceRole(`${name}-backups`, {
        service: "backup.amazonaws.com",
        managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"],
        tags: args.tags,
    }, parent);
    const selection = new aws.backup.Selection(`${name}-backups`, {
        planId: plan.id,
        iamRoleArn: role.arn,
        resources: [args.writer.arn],
    }, { parent, dependsOn: permissions });
    return { vault, plan, selection };
}
