import {
    rdsBackupRetention,
    rdsDeletionProtection,
    rdsInstanceClassAllowed,
    rdsMasterPasswordManaged,
    rdsMultiAz,
    rdsNoBurstableClass,
    rdsNotPubliclyAccessible,
    rdsStorageEncrypted,
} from "./instance";

export * from "./instance";

export const rdsPolicies = [
    rdsStorageEncrypted,
    rdsNotPubliclyAccessible,
    rdsMasterPasswordManaged,
    rdsBackupRetention,
    rdsDeletionProtection,
    rdsMultiAz,
    rdsNoBurstableClass,
    rdsInstanceClassAllowed,
];
