import {
    rdsBackupRetention,
    rdsDeletionProtection,
    rdsInstanceClassAllowed,
    rdsMultiAz,
    rdsNoBurstableClass,
    rdsNotPubliclyAccessible,
    rdsStorageEncrypted,
} from "./instance";

export * from "./instance";

export const rdsPolicies = [
    rdsStorageEncrypted,
    rdsNotPubliclyAccessible,
    rdsBackupRetention,
    rdsDeletionProtection,
    rdsMultiAz,
    rdsNoBurstableClass,
    rdsInstanceClassAllowed,
];
