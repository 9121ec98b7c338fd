import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { fitName } from "../../aws/names";

export interface RestoreTestingArgs {
    /** The database whose latest recovery point is restored: the region's writer. */
    readonly writerArn: pulumi.Input<string>;
    /** The media bucket a sample of which is restored (S3 restore testing restores objects into a new bucket). */
    readonly mediaBucketArn: pulumi.Input<string>;
    /** The role AWS Backup restores as; it needs AWSBackupServiceRolePolicyForRestores (the backup role has it). */
    readonly roleArn: pulumi.Input<string>;
    /** Hours a restored resource is kept for validation before AWS Backup deletes it. Default: 4. */
    readonly validationWindowHours?: number;
    readonly tags?: Record<string, string>;
}

/**
 * A weekly AWS Backup restore test of the writer's latest recovery point and of the media bucket, so
 * the production guide's "weekly restore tests" run without anyone remembering them.
 *
 * AWS Backup restores into scratch resources it names and deletes after the validation window, and
 * records each restore job's duration and status (AWS Backup Developer Guide, "Restore testing").
 * Resource shapes from the provider's docs (terraform-provider-aws website/docs/r/backup_restore_testing_plan.html.markdown
 * and r/backup_restore_testing_selection.html.markdown, @pulumi/aws 7.48.0 backup/restoreTestingPlan.d.ts
 * and restoreTestingSelection.d.ts): plan names and selection names are alphanumerics and underscores
 * only; `protectedResourceType` takes the Backup resource types ("RDS", "S3").
 *
 * Not checked here: which restore metadata AWS Backup infers for an RDS restore (by default it restores
 * into the account's default DB subnet group); a stack without one needs `restoreMetadataOverrides`.
 */
export function createRestoreTesting(name: string, args: RestoreTestingArgs, parent: pulumi.Resource) {
    const opts: pulumi.CustomResourceOptions = { parent };
    // Names allow only letters, digits and underscores; the stack's name keeps two stacks apart in one account.
    // fitName keeps a long stack's names distinct (a digest after "-", which the plan's charset refuses: "_" instead).
    const planName = fitName(`saleor_${pulumi.getStack()}_${name}_restore_tests`.replace(/[^A-Za-z0-9_]/g, "_"), 50).replace(/-/g, "_");
    const plan = new aws.backup.RestoreTestingPlan(
        `${name}-restore-tests`,
        {
            name: planName,
            // Weekly, Mondays 03:00 UTC, outside the 6-hourly backup windows' busiest hour.
            scheduleExpression: "cron(0 3 ? * MON *)",
            scheduleExpressionTimezone: "Etc/UTC",
            startWindowHours: 8,
            recoveryPointSelection: {
                algorithm: "LATEST_WITHIN_WINDOW",
                includeVaults: ["*"],
                recoveryPointTypes: ["SNAPSHOT"],
                selectionWindowDays: 7,
            },
            tags: args.tags,
        },
        opts,
    );
    const validationWindowHours = args.validationWindowHours ?? 4;
    const selection = (what: string, type: string, arn: pulumi.Input<string>) =>
        new aws.backup.RestoreTestingSelection(
            `${name}-restore-test-${what}`,
            {
                name: `${what}_latest`,
                restoreTestingPlanName: plan.name,
                protectedResourceType: type,
                protectedResourceArns: [arn],
                iamRoleArn: args.roleArn,
                validationWindowHours,
            },
            opts,
        );
    return {
        plan,
        database: selection("database", "RDS", args.writerArn),
        media: selection("media", "S3", args.mediaBucketArn),
    };
}
