import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountOf, createServiceRole } from "../../aws/iam";
import { fitName } from "../../aws/names";

/**
 * The Lambda's source (CommonJS, Node.js 22 runtime, whose AWS SDK for JavaScript v3 provides the
 * two clients). For a restore job of a restore testing plan that restored a database, it waits for
 * the restored instance to be `available` and reports the verdict to AWS Backup:
 *
 * - DescribeRestoreJob (AWS Backup API): `CreatedBy.RestoreTestingPlanArn` tells a restore test from
 *   a restore someone ran; `ResourceType` and `CreatedResourceArn` name what was restored.
 * - DescribeDBInstances (Amazon RDS API): `DBInstanceIdentifier` takes the instance's ARN.
 * - PutRestoreValidationResult (AWS Backup API, `PUT /restore-jobs/{restoreJobId}/validations`):
 *   `ValidationStatus` FAILED | SUCCESSFUL | TIMED_OUT | VALIDATING and an optional
 *   `ValidationStatusMessage`. A FAILED or TIMED_OUT verdict raises `restore-test-failed`.
 *
 * Other restores (the media sample, a restore by hand) get no verdict. Polls every POLL_SECONDS
 * (30), at most MAX_POLLS (24) times: 12 minutes within the function's 15-minute timeout.
 *
 * Called with `{ "audit": true }` (daily, from a schedule), it counts the plan's database restore
 * jobs of the last 8 days whose validation succeeded and publishes the count as the metric
 * Saleor/RestoreTests ValidatedRestoreTests (dimension RestoreTestingPlan), so an alarm sees a
 * weekly test that never ran, which raises no event of its own. ListRestoreJobs filters by
 * ByRestoreTestingPlanArn, ByResourceType and ByCreatedAfter and pages with NextToken; each
 * RestoreJobsListMember carries ValidationStatus (AWS Backup API reference). 8 days: the weekly
 * schedule plus its 8-hour start window and the restore itself.
 */
export const RESTORE_VALIDATION_HANDLER = `"use strict";
const { BackupClient, DescribeRestoreJobCommand, ListRestoreJobsCommand, PutRestoreValidationResultCommand } = require("@aws-sdk/client-backup");
const { RDSClient, DescribeDBInstancesCommand } = require("@aws-sdk/client-rds");
const { CloudWatchClient, PutMetricDataCommand } = require("@aws-sdk/client-cloudwatch");
const backup = new BackupClient({});
const rds = new RDSClient({});
const cloudwatch = new CloudWatchClient({});
const AUDIT_DAYS = 8;
const POLL_SECONDS = Number(process.env.POLL_SECONDS || "30");
const MAX_POLLS = Number(process.env.MAX_POLLS || "24");
const FAILED_STATES = ["failed", "incompatible-restore", "incompatible-parameters", "incompatible-network", "incompatible-option-group", "inaccessible-encryption-credentials", "restore-error", "storage-full", "deleting"];
const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

async function verdict(job) {
    let last = "not described";
    for (let poll = 1; poll <= MAX_POLLS; poll++) {
        let db;
        try {
            const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: job.CreatedResourceArn }));
            db = out.DBInstances && out.DBInstances[0];
        } catch (e) {
            return ["FAILED", "DescribeDBInstances " + job.CreatedResourceArn + " failed: " + e.name + ": " + e.message];
        }
        if (!db) return ["FAILED", job.CreatedResourceArn + " does not exist"];
        last = db.DBInstanceIdentifier + " is " + db.DBInstanceStatus;
        if (db.DBInstanceStatus === "available") {
            return ["SUCCESSFUL", db.DBInstanceIdentifier + " is available (" + db.Engine + " " + db.EngineVersion + ")"];
        }
        if (FAILED_STATES.includes(db.DBInstanceStatus)) return ["FAILED", last];
        if (poll < MAX_POLLS) await sleep(POLL_SECONDS);
    }
    return ["TIMED_OUT", last + " after " + MAX_POLLS + " checks " + POLL_SECONDS + " s apart"];
}

async function audit() {
    const since = new Date(Date.now() - AUDIT_DAYS * 86400000);
    let token;
    let validated = 0;
    let seen = 0;
    do {
        const page = await backup.send(new ListRestoreJobsCommand({
            ByRestoreTestingPlanArn: process.env.RESTORE_TESTING_PLAN_ARN,
            ByResourceType: "RDS",
            ByCreatedAfter: since,
            NextToken: token,
        }));
        for (const job of page.RestoreJobs || []) {
            seen++;
            if (job.ValidationStatus === "SUCCESSFUL") validated++;
        }
        token = page.NextToken;
    } while (token);
    await cloudwatch.send(new PutMetricDataCommand({
        Namespace: "Saleor/RestoreTests",
        MetricData: [{ MetricName: "ValidatedRestoreTests", Dimensions: [{ Name: "RestoreTestingPlan", Value: process.env.RESTORE_TESTING_PLAN_NAME }], Value: validated, Unit: "Count" }],
    }));
    console.log(JSON.stringify({ audit: true, days: AUDIT_DAYS, restoreJobs: seen, validated }));
    return { audit: true, restoreJobs: seen, validated };
}

exports.handler = async (event) => {
    if (event && event.audit === true) return audit();
    const id = event && event.detail && event.detail.restoreJobId;
    if (!id) return { skipped: "the event names no restore job" };
    const job = await backup.send(new DescribeRestoreJobCommand({ RestoreJobId: id }));
    if (!job.CreatedBy || !job.CreatedBy.RestoreTestingPlanArn) return { skipped: id + " is not a restore test" };
    if (job.ResourceType !== "RDS") return { skipped: id + " restored " + job.ResourceType + ", which this validation does not check" };
    if (job.Status !== "COMPLETED") return { skipped: id + " is " + job.Status };
    const [status, message] = await verdict(job);
    await backup.send(new PutRestoreValidationResultCommand({ RestoreJobId: id, ValidationStatus: status, ValidationStatusMessage: message }));
    console.log(JSON.stringify({ restoreJobId: id, status, message }));
    return { restoreJobId: id, status, message };
};
`;

export interface RestoreValidationArgs {
    /** The restore testing plan whose restores the daily audit counts. */
    readonly plan: { readonly arn: pulumi.Input<string>; readonly name: pulumi.Input<string> };
    readonly tags?: Record<string, string>;
    /** The function role's permissions boundary. */
    readonly permissionsBoundary: string;
    /** Days the function's log is kept. Default: 90. */
    readonly logRetentionDays?: number;
}

/**
 * Validation of the weekly restore tests: an EventBridge rule on every completed restore job of the
 * region ("Restore Job State Change", `status` as the `restore-test-failed` rule reads it) invokes
 * the function above, which may only describe restore jobs and DB instances, record a validation
 * result and write its log.
 */
export function createRestoreValidation(name: string, args: RestoreValidationArgs, parent: pulumi.Resource) {
    const opts: pulumi.CustomResourceOptions = { parent };
    const functionName = fitName(`saleor-${pulumi.getStack()}-${name}-restore-validation`, 64);
    const logs = new aws.cloudwatch.LogGroup(
        `${name}-restore-validation`,
        { name: `/aws/lambda/${functionName}`, retentionInDays: args.logRetentionDays ?? 90, tags: args.tags },
        opts,
    );
    const account = accountOf(parent);
    const region = aws.getRegionOutput({}, { parent }).region;
    const { role, permissions } = createServiceRole(
        `${name}-restore-validation`,
        {
            service: "lambda.amazonaws.com",
            policyJson: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    // Restore jobs have no resource type of their own in IAM: "*".
                    {
                        Effect: "Allow",
                        Action: ["backup:DescribeRestoreJob", "backup:ListRestoreJobs", "backup:PutRestoreValidationResult"],
                        Resource: "*",
                    },
                    // PutMetricData has no resource type; its namespace is a condition key (CloudWatch User Guide,
                    // "Using condition keys to limit access to CloudWatch namespaces").
                    {
                        Effect: "Allow",
                        Action: ["cloudwatch:PutMetricData"],
                        Resource: "*",
                        Condition: { StringEquals: { "cloudwatch:namespace": restoreTestMetricNamespace } },
                    },
                    {
                        Effect: "Allow",
                        Action: ["rds:DescribeDBInstances"],
                        Resource: pulumi.interpolate`arn:aws:rds:${region}:${account}:db:*`,
                    },
                    { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logs.arn}:*` },
                ],
            }),
            tags: args.tags,
            permissionsBoundary: args.permissionsBoundary,
        },
        parent,
    );
    const fn = new aws.lambda.Function(
        `${name}-restore-validation`,
        {
            name: functionName,
            description: "Saleor restore tests: reports whether the restored database became available",
            runtime: "nodejs22.x",
            handler: "index.handler",
            code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(RESTORE_VALIDATION_HANDLER) }),
            role: role.arn,
            timeout: 900,
            memorySize: 128,
            environment: { variables: { RESTORE_TESTING_PLAN_ARN: args.plan.arn, RESTORE_TESTING_PLAN_NAME: args.plan.name } },
            tags: args.tags,
        },
        { ...opts, dependsOn: [logs, ...permissions] },
    );
    const rule = new aws.cloudwatch.EventRule(
        `${name}-restore-validation`,
        {
            name: fitName(`saleor-${pulumi.getStack()}-${name}-restore-validation`, 64),
            description: "Saleor restore tests: validate each completed restore",
            eventPattern: JSON.stringify({
                source: ["aws.backup"],
                "detail-type": ["Restore Job State Change"],
                detail: { status: ["COMPLETED"] },
            }),
            tags: args.tags,
        },
        opts,
    );
    const invoke = new aws.lambda.Permission(
        `${name}-restore-validation`,
        { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: rule.arn },
        opts,
    );
    new aws.cloudwatch.EventTarget(`${name}-restore-validation`, { rule: rule.name, arn: fn.arn }, { ...opts, dependsOn: [invoke] });

    // The daily audit: EventBridge passes the target's constant `input` as the event.
    const daily = new aws.cloudwatch.EventRule(
        `${name}-restore-audit`,
        {
            name: fitName(`saleor-${pulumi.getStack()}-${name}-restore-audit`, 64),
            description: "Saleor restore tests: count the restore tests validated in the last 8 days",
            scheduleExpression: "rate(1 day)",
            tags: args.tags,
        },
        opts,
    );
    const auditInvoke = new aws.lambda.Permission(
        `${name}-restore-audit`,
        { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: daily.arn },
        opts,
    );
    new aws.cloudwatch.EventTarget(
        `${name}-restore-audit`,
        { rule: daily.name, arn: fn.arn, input: JSON.stringify({ audit: true }) },
        { ...opts, dependsOn: [auditInvoke] },
    );
    const metric: RestoreTestMetric = {
        namespace: restoreTestMetricNamespace,
        metricName: "ValidatedRestoreTests",
        dimensions: { RestoreTestingPlan: args.plan.name },
    };
    return { fn, rule, role, metric };
}

export const restoreTestMetricNamespace = "Saleor/RestoreTests";

/** The daily count of validated restore tests, for an alarm. */
export interface RestoreTestMetric {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Record<string, pulumi.Input<string>>;
}
