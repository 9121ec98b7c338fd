import {
    rdsBackupRetention,
    rdsDeletionProtection,
    rdsInstanceClassAllowed,
    rdsMasterPasswordManaged,
    rdsMultiAz,
    rdsNoBurstableClass,
    rdsNotPubliclyAccessible,
    rdsStorageEncrypted,
} from "../../../policy/aws/rds";
import { rdsInstance } from "../fixtures/aws";
import { assertPasses, assertViolates, UNKNOWN_VALUE } from "../harness";

describe("RDS instance rules", () => {
    const replica = (props = {}) => rdsInstance({ replicateSourceDb: "saleor-db", ...props }, "saleor-db-replica");

    describe("aws-rds-instance-storage-encrypted", () => {
        it("an unencrypted database is told to set storageEncrypted", () =>
            assertViolates(
                rdsStorageEncrypted,
                rdsInstance({ storageEncrypted: false }),
                /stores data unencrypted; set storageEncrypted: true/,
            ));
        it("a database that leaves encryption unset is a violation", () =>
            assertViolates(rdsStorageEncrypted, rdsInstance({ storageEncrypted: undefined }), /storageEncrypted: true/));
        it("an encrypted database passes", () => assertPasses(rdsStorageEncrypted, rdsInstance()));
        it("a read replica inherits encryption from its source", () =>
            assertPasses(rdsStorageEncrypted, replica({ storageEncrypted: undefined })));
        it("encryption not known during preview is not a violation", () =>
            assertPasses(rdsStorageEncrypted, rdsInstance({ storageEncrypted: UNKNOWN_VALUE })));
    });

    describe("aws-rds-instance-not-publicly-accessible", () => {
        it("a publicly accessible database is a violation", () =>
            assertViolates(
                rdsNotPubliclyAccessible,
                rdsInstance({ publiclyAccessible: true }),
                /is publicly accessible; set publiclyAccessible: false/,
            ));
        it("a private database passes", () => assertPasses(rdsNotPubliclyAccessible, rdsInstance()));
        it("an unknown accessibility is not a violation", () =>
            assertPasses(rdsNotPubliclyAccessible, rdsInstance({ publiclyAccessible: UNKNOWN_VALUE })));
    });

    describe("aws-rds-instance-backup-retention-minimum", () => {
        it("seven days of backups fall short of production's 30", () =>
            assertViolates(
                rdsBackupRetention,
                rdsInstance({ backupRetentionPeriod: 7 }),
                /keeps automated backups for 7 days, below this stack's minimum of 30; set backupRetentionPeriod to at least 30/,
            ));
        it("an unset retention is reported as such", () =>
            assertViolates(rdsBackupRetention, rdsInstance({ backupRetentionPeriod: undefined }), /does not set backupRetentionPeriod/));
        it("staging's 7-day minimum accepts a week of backups", () =>
            assertPasses(rdsBackupRetention, rdsInstance({ backupRetentionPeriod: 7 }), { minDays: 7 }));
        it("30 days of backups pass in production", () => assertPasses(rdsBackupRetention, rdsInstance()));
        it("read replicas keep no backups of their own", () => assertPasses(rdsBackupRetention, replica({ backupRetentionPeriod: 0 })));
        it("an unknown retention is not a violation", () =>
            assertPasses(rdsBackupRetention, rdsInstance({ backupRetentionPeriod: UNKNOWN_VALUE })));
        it("a primary whose replica source is unknown is not judged", () =>
            assertPasses(rdsBackupRetention, rdsInstance({ replicateSourceDb: UNKNOWN_VALUE, backupRetentionPeriod: 0 })));
    });

    describe("aws-rds-instance-deletion-protection-enabled", () => {
        it("a production database without deletion protection is a violation", () =>
            assertViolates(
                rdsDeletionProtection,
                rdsInstance({ deletionProtection: false }),
                /can be deleted; set deletionProtection: true/,
            ));
        it("a protected database passes", () => assertPasses(rdsDeletionProtection, rdsInstance()));
        it("an unknown flag is not a violation", () =>
            assertPasses(rdsDeletionProtection, rdsInstance({ deletionProtection: UNKNOWN_VALUE })));
    });

    describe("aws-rds-instance-multi-az-enabled", () => {
        it("a single-AZ production database is told to set multiAz", () =>
            assertViolates(rdsMultiAz, rdsInstance({ multiAz: false }), /runs in a single Availability Zone; set multiAz: true/));
        it("a Multi-AZ database passes", () => assertPasses(rdsMultiAz, rdsInstance()));
        it("a read replica needs no standby of its own", () => assertPasses(rdsMultiAz, replica({ multiAz: false })));
        it("an unknown flag is not a violation", () => assertPasses(rdsMultiAz, rdsInstance({ multiAz: UNKNOWN_VALUE })));
    });

    describe("aws-rds-instance-master-password-managed", () => {
        it("a primary with a password of the program's is told to let RDS manage it", () =>
            assertViolates(
                rdsMasterPasswordManaged,
                rdsInstance({ manageMasterUserPassword: undefined, password: "hunter2hunter2" }),
                /sets its master password in the program \(and so in the stack's state\); remove password and set manageMasterUserPassword: true/,
            ));
        it("a primary that leaves the master password unmanaged is a violation", () =>
            assertViolates(
                rdsMasterPasswordManaged,
                rdsInstance({ manageMasterUserPassword: false }),
                /set manageMasterUserPassword: true/,
            ));
        it("a primary whose password RDS manages passes", () => assertPasses(rdsMasterPasswordManaged, rdsInstance()));
        it("a read replica has no master password of its own", () =>
            assertPasses(rdsMasterPasswordManaged, replica({ manageMasterUserPassword: undefined })));
        it("an unknown flag is not a violation", () =>
            assertPasses(rdsMasterPasswordManaged, rdsInstance({ manageMasterUserPassword: UNKNOWN_VALUE })));
    });

    describe("aws-rds-instance-no-burstable-class", () => {
        it("a db.t4g class is a violation", () =>
            assertViolates(
                rdsNoBurstableClass,
                rdsInstance({ instanceClass: "db.t4g.large" }),
                /uses the burstable class db.t4g.large; pick a db.m\* or db.r\* class/,
            ));
        it("a db.m7g class passes", () => assertPasses(rdsNoBurstableClass, rdsInstance()));
        it("an unknown class is not a violation", () => assertPasses(rdsNoBurstableClass, rdsInstance({ instanceClass: UNKNOWN_VALUE })));
    });

    describe("aws-rds-instance-class-allowed", () => {
        it("a class outside the production list is a violation that lists the allowed ones", () =>
            assertViolates(
                rdsInstanceClassAllowed,
                rdsInstance({ instanceClass: "db.x2g.large" }),
                /uses db.x2g.large, which this stack does not allow; pick one of db.m6i.\*/,
            ));
        it("staging's list admits burstable classes", () =>
            assertPasses(rdsInstanceClassAllowed, rdsInstance({ instanceClass: "db.t4g.large" }), {
                allowedClasses: ["db.t4g.*", "db.m7g.*"],
            }));
        it("the production class passes", () => assertPasses(rdsInstanceClassAllowed, rdsInstance()));
        it("an unknown class is not a violation", () =>
            assertPasses(rdsInstanceClassAllowed, rdsInstance({ instanceClass: UNKNOWN_VALUE })));
    });

    it("RDS rules do not apply to other resource types", async () => {
        const { resourceOutcome } = await import("../harness");
        const outcome = await resourceOutcome(rdsStorageEncrypted, { type: "aws:s3/bucket:Bucket", props: {} });
        if (!outcome.notApplicable?.includes("aws:rds/instance:Instance")) {
            throw new Error(`expected not applicable, got ${JSON.stringify(outcome)}`);
        }
    });
});
