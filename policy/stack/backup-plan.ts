import { PolicyResource } from "@pulumi/policy";
import { aws, BackupPlanProps } from "../aws/types";
import { stackRule } from "../lib/define";
import { longestIntervalHours } from "../lib/schedule";
import { setting } from "../lib/settings";
import { isKnown, known, knownList, Maybe, UNKNOWN } from "../lib/unknown";

interface Thresholds {
    readonly maxIntervalHours: number;
    readonly minRetentionDays: number;
}

/** The plan's shortfall against the thresholds, undefined when one of its rules meets both, UNKNOWN when it cannot be told. */
function planShortfall(plan: PolicyResource, limits: Thresholds): Maybe<string | undefined> {
    const rules = knownList(() => (plan.props as BackupPlanProps).rules);
    if (rules.hasUnknown) {
        return UNKNOWN;
    }
    const shortfalls: string[] = [];
    for (const rule of rules.items) {
        const continuous = known(() => rule.enableContinuousBackup);
        const schedule = known(() => rule.schedule);
        const retention = known(() => rule.lifecycle?.deleteAfter);
        if (!isKnown(continuous) || !isKnown(schedule) || !isKnown(retention)) {
            return UNKNOWN;
        }
        const problems: string[] = [];
        // Continuous backup (point-in-time recovery) is at least as frequent as any schedule.
        if (continuous !== true) {
            const interval = typeof schedule === "string" ? longestIntervalHours(schedule) : undefined;
            if (interval === undefined) {
                problems.push(`its schedule ${JSON.stringify(schedule ?? null)} cannot be read`);
            } else if (interval > limits.maxIntervalHours) {
                problems.push(`it runs only every ${interval} hours`);
            }
        }
        if (typeof retention !== "number" || retention < limits.minRetentionDays) {
            problems.push(
                typeof retention === "number"
                    ? `it keeps recovery points ${retention} days`
                    : "it never expires recovery points (no lifecycle.deleteAfter)",
            );
        }
        if (problems.length === 0) {
            return undefined;
        }
        const ruleName = known(() => rule.ruleName);
        shortfalls.push(`rule ${isKnown(ruleName) && ruleName ? `"${ruleName}"` : "#" + shortfalls.length}: ${problems.join(" and ")}`);
    }
    return shortfalls.length > 0 ? shortfalls.join("; ") : "it has no rules";
}

export const backupPlanFrequencyRetention = stackRule({
    name: "aws-backup-plan-frequency-and-retention",
    description:
        "A stack with RDS databases must have an aws.backup.Plan with a rule that backs up at least every 6 hours and keeps recovery points at least 30 days.",
    enforcementLevel: "mandatory",
    category: "reliability",
    guards: [aws.backup.Plan.__pulumiType, aws.rds.Instance.__pulumiType],
    settings: {
        // Production guide (the Production Deployment Guide), disaster recovery: database backups every 6 hours, kept 30 days.
        maxIntervalHours: setting.integer(6, "Longest time allowed between two backups, in hours.", 1),
        minRetentionDays: setting.integer(30, "Fewest days a recovery point must be kept.", 1),
    },
    validate: (args, { config, report }) => {
        if (!args.resources.some((r) => r.type === aws.rds.Instance.__pulumiType)) {
            args.notApplicable("the stack has no RDS databases to back up");
        }
        const plans = args.resources.filter((r) => r.type === aws.backup.Plan.__pulumiType);
        const wanted = `at least every ${config.maxIntervalHours} hours (cron(0 */${config.maxIntervalHours} * * ? *)) keeping recovery points ${config.minRetentionDays} days (lifecycle.deleteAfter: ${config.minRetentionDays})`;
        if (plans.length === 0) {
            report(
                `The stack has RDS databases but no aws.backup.Plan; add one with a rule that runs ${wanted}, and an aws.backup.Selection for the databases.`,
            );
            return;
        }
        const shortfalls = plans.map((plan) => ({ plan, shortfall: planShortfall(plan, config) }));
        if (shortfalls.some((s) => s.shortfall === undefined || s.shortfall === UNKNOWN)) {
            return;
        }
        for (const { plan, shortfall } of shortfalls) {
            report(
                `Backup plan "${plan.name}" does not back up often or long enough (${String(shortfall)}); give it a rule that runs ${wanted}.`,
                plan.urn,
            );
        }
    },
});
