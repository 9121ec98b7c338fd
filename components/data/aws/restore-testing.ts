import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { fitName } from "../../aws/names";
import { createRestoreValidation } from "./restore-validation";

export interface RestoreTestingArgs {
    /** The database whose latest recovery point is restored: the region's writer. */
    readonly writerArn: pulumi.Input<string>;
    /** The media bucket a sample of which is restored (S3 restore testing restores objects into a new bucket). */
    readonly mediaBucketArn: pulumi.Input<string>;
    /** The role AWS Backup restores as; it needs AWSBackupServiceRolePolicyForRestores (the backup role has it). */
    readonly roleArn: pulumi.Input<string>;
    /**
     * Where the database is restored: a DB subnet group over these (private) subnets and a security
     * group of this VPC that admits nothing. Absent: where AWS Backup infers (the account's default
     * DB subnet group, which an account without a default VPC lacks).
     */
    readonly network?: { readonly vpcId: pulumi.Input<string>; readonly subnetIds: pulumi.Input<pulumi.Input<string>[]> };
    /** Hours a restored resource is kept for validation before AWS Backup deletes it. Default: 4. */
    readonly validationWindowHours?: number;
    readonly tags?: Record<string, string>;
    /** The permissions boundary of the validation function's role. */
    readonly permissionsBoundary: string;
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
 * The RDS restore goes into the stack's own network (`network`): AWS Backup infers the default DB
 * subnet group, and "if the default is not present, for example the default VPC or subnet has been
 * deleted and no metadata override has been input, the restore will not be successful" (AWS Backup
 * Developer Guide, "Restore testing inferred metadata"). That page puts overrides in the selection's
 * `RestoreMetadataOverrides` and says their keys are not case sensitive. Not verified here: its row
 * for RDS instances (the excerpt available was cut before it); the keys `dbSubnetGroupName` and
 * `vpcSecurityGroupIds` with a JSON list of ids are RestoreDBInstanceFromDBSnapshot's parameters as
 * public configurations of this resource spell them. A wrong key fails the weekly restore, which the
 * `restore-test-failed` rule reports.
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
    const restoreNetwork = args.network ? createRestoreNetwork(name, args.network, args.tags, opts) : undefined;
    const selection = (
        what: string,
        type: string,
        arn: pulumi.Input<string>,
        restoreMetadataOverrides?: pulumi.Input<Record<string, pulumi.Input<string>>>,
    ) =>
        new aws.backup.RestoreTestingSelection(
            `${name}-restore-test-${what}`,
            {
                name: `${what}_latest`,
                restoreTestingPlanName: plan.name,
                protectedResourceType: type,
                protectedResourceArns: [arn],
                iamRoleArn: args.roleArn,
                validationWindowHours,
                ...(restoreMetadataOverrides ? { restoreMetadataOverrides } : {}),
            },
            opts,
        );
    return {
        plan,
        database: selection(
            "database",
            "RDS",
            args.writerArn,
            restoreNetwork && {
                dbSubnetGroupName: restoreNetwork.subnetGroup.name,
                vpcSecurityGroupIds: pulumi.jsonStringify([restoreNetwork.securityGroup.id]),
            },
        ),
        media: selection("media", "S3", args.mediaBucketArn),
        restoreNetwork,
        // The restored database is checked within the validation window, its verdict recorded on the job.
        validation: createRestoreValidation(
            name,
            { plan: { arn: plan.arn, name: plan.name }, tags: args.tags, permissionsBoundary: args.permissionsBoundary },
            parent,
        ),
    };
}

/**
 * The restored database's own DB subnet group (the writer's subnets) and a security group without
 * a rule: the validation reads the instance's state through the RDS API and opens no connection to
 * it, so nothing needs to reach it. The AWS provider removes the allow-all egress rule AWS gives a
 * new group ("When creating a new Security Group inside a VPC, Terraform will remove this default
 * rule": terraform-provider-aws r/security_group), as for the project's other service groups.
 */
function createRestoreNetwork(
    name: string,
    network: NonNullable<RestoreTestingArgs["network"]>,
    tags: Record<string, string> | undefined,
    opts: pulumi.CustomResourceOptions,
) {
    const subnetGroup = new aws.rds.SubnetGroup(
        `${name}-restore-tests`,
        { description: "Saleor restore tests: the restored database, private subnets only", subnetIds: network.subnetIds, tags },
        opts,
    );
    const securityGroup = new aws.ec2.SecurityGroup(
        `${name}-restore-tests`,
        { vpcId: network.vpcId, description: "Saleor restore tests: admits nothing", tags },
        opts,
    );
    return { subnetGroup, securityGroup };
}
