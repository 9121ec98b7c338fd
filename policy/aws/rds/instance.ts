import { resourceRule } from "../../lib/define";
import { globMatches } from "../../lib/glob";
import { setting } from "../../lib/settings";
import { isKnown, known, Maybe, UNKNOWN, whenKnown } from "../../lib/unknown";
import { aws, RdsInstanceProps } from "../types";

const label = (name: string) => `RDS instance "${name}"`;

/**
 * Read replicas inherit encryption from their source and carry no backups or standby of their
 * own, so the primary-only rules skip them (and skip instances whose source is not known yet).
 */
function isPrimary(db: RdsInstanceProps): Maybe<boolean> {
    const source = known(() => db.replicateSourceDb);
    return source === UNKNOWN ? UNKNOWN : source === undefined || source === null || source === "";
}

/** Reports when a primary (not a replica) has `flag` anything but true; unknown values are not judged. */
function requireOnPrimary(db: RdsInstanceProps, flag: () => unknown, reportMissing: () => void): void {
    if (isPrimary(db) !== true) {
        return;
    }
    whenKnown(flag, (value) => {
        if (value !== true) {
            reportMissing();
        }
    });
}

export const rdsStorageEncrypted = resourceRule({
    name: "aws-rds-instance-storage-encrypted",
    description: "RDS instances must encrypt their storage, snapshots and backups at rest.",
    enforcementLevel: "mandatory",
    category: "security",
    type: aws.rds.Instance,
    validate: (db, { args, report }) => {
        whenKnown(
            () => db.storageEncrypted,
            (encrypted) => {
                // A replica without the flag inherits its source's encryption.
                if (encrypted === true || (encrypted === undefined && isPrimary(db) !== true)) {
                    return;
                }
                report(`${label(args.name)} stores data unencrypted; set storageEncrypted: true (and kmsKeyId to a customer-managed key).`);
            },
        );
    },
});

export const rdsNotPubliclyAccessible = resourceRule({
    name: "aws-rds-instance-not-publicly-accessible",
    description: "RDS instances must not get a public IP address; clients reach them from inside the VPC.",
    enforcementLevel: "mandatory",
    category: "security",
    type: aws.rds.Instance,
    validate: (db, { args, report }) => {
        whenKnown(
            () => db.publiclyAccessible,
            (open) => {
                if (open === true) {
                    report(`${label(args.name)} is publicly accessible; set publiclyAccessible: false and reach it from inside the VPC.`);
                }
            },
        );
    },
});

export const rdsBackupRetention = resourceRule({
    name: "aws-rds-instance-backup-retention-minimum",
    description: "RDS primaries must keep automated backups for at least the stack's minimum number of days.",
    enforcementLevel: "mandatory",
    category: "reliability",
    type: aws.rds.Instance,
    settings: {
        // Production guide (the Production Deployment Guide): database backups kept 30 days.
        minDays: setting.integer(30, "Fewest days of automated backups (backupRetentionPeriod) a primary may keep.", 0),
    },
    validate: (db, { args, config, report }) => {
        if (isPrimary(db) !== true) {
            return;
        }
        whenKnown(
            () => db.backupRetentionPeriod,
            (days) => {
                if (typeof days === "number" && days >= config.minDays) {
                    return;
                }
                const current =
                    typeof days === "number" ? `keeps automated backups for ${days} days` : "does not set backupRetentionPeriod";
                report(
                    `${label(args.name)} ${current}, below this stack's minimum of ${config.minDays}; set backupRetentionPeriod to at least ${config.minDays}.`,
                );
            },
        );
    },
});

export const rdsDeletionProtection = resourceRule({
    name: "aws-rds-instance-deletion-protection-enabled",
    description: "RDS primaries must have deletion protection so neither a `pulumi destroy` nor a replacement can drop the database.",
    enforcementLevel: "mandatory",
    category: "reliability",
    type: aws.rds.Instance,
    validate: (db, { args, report }) =>
        requireOnPrimary(
            db,
            () => db.deletionProtection,
            () => report(`${label(args.name)} can be deleted; set deletionProtection: true.`),
        ),
});

export const rdsMultiAz = resourceRule({
    name: "aws-rds-instance-multi-az-enabled",
    description: "RDS primaries must run Multi-AZ so a standby in another Availability Zone takes over when one fails.",
    enforcementLevel: "mandatory",
    category: "reliability",
    type: aws.rds.Instance,
    validate: (db, { args, report }) =>
        requireOnPrimary(
            db,
            () => db.multiAz,
            () => report(`${label(args.name)} runs in a single Availability Zone; set multiAz: true.`),
        ),
});

export const rdsNoBurstableClass = resourceRule({
    name: "aws-rds-instance-no-burstable-class",
    description: "RDS instances must not use burstable db.t* classes, whose CPU credits run out under sustained load.",
    enforcementLevel: "mandatory",
    category: "sizing",
    type: aws.rds.Instance,
    validate: (db, { args, report }) => {
        whenKnown(
            () => db.instanceClass,
            (instanceClass) => {
                if (typeof instanceClass === "string" && instanceClass.startsWith("db.t")) {
                    report(`${label(args.name)} uses the burstable class ${instanceClass}; pick a db.m* or db.r* class.`);
                }
            },
        );
    },
});

export const rdsInstanceClassAllowed = resourceRule({
    name: "aws-rds-instance-class-allowed",
    description: "RDS instances must use one of the instance classes the stack allows.",
    enforcementLevel: "mandatory",
    category: "sizing",
    type: aws.rds.Instance,
    settings: {
        allowedClasses: setting.strings(
            ["db.m6i.*", "db.m7i.*", "db.r6i.*", "db.r7i.*", "db.m6g.*", "db.m7g.*", "db.r6g.*", "db.r7g.*"],
            "Instance classes allowed, exact or with `*` (db.m7g.*).",
        ),
    },
    validate: (db, { args, config, report }) => {
        const instanceClass = known(() => db.instanceClass);
        if (!isKnown(instanceClass) || typeof instanceClass !== "string") {
            return;
        }
        if (!config.allowedClasses.some((pattern) => globMatches(instanceClass, pattern))) {
            report(
                `${label(args.name)} uses ${instanceClass}, which this stack does not allow; pick one of ${config.allowedClasses.join(", ")}.`,
            );
        }
    },
});

export const rdsMasterPasswordManaged = resourceRule({
    name: "aws-rds-instance-master-password-managed",
    description:
        "RDS primaries must let RDS keep the master password in Secrets Manager (manageMasterUserPassword), never a password of the program's.",
    enforcementLevel: "mandatory",
    category: "security",
    type: aws.rds.Instance,
    validate: (db, { args, report }) => {
        // A replica has its source's users; RDS refuses a master password setting on it.
        if (isPrimary(db) !== true) {
            return;
        }
        const password = known(() => db.password);
        if (password !== UNKNOWN && password !== undefined && password !== null && password !== "") {
            report(
                `${label(args.name)} sets its master password in the program (and so in the stack's state); remove password and set manageMasterUserPassword: true.`,
            );
            return;
        }
        whenKnown(
            () => db.manageMasterUserPassword,
            (managed) => {
                if (managed !== true) {
                    report(
                        `${label(args.name)} does not let RDS manage its master password in Secrets Manager; set manageMasterUserPassword: true (with masterUserSecretKmsKeyId, a customer-managed key).`,
                    );
                }
            },
        );
    },
});
