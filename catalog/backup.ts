/**
 * The Backup Vault Lock of production's vaults (compliance mode). AWS Backup refuses any backup or
 * copy job into a locked vault whose retention lies outside [minRetentionDays, maxRetentionDays],
 * and after `changeableForDays` (AWS's minimum: a 72-hour cooling-off) nobody can change or remove
 * the lock (AWS Backup Developer Guide, "AWS Backup Vault Lock"). So these bounds are constants, not
 * config: the lock could not follow a later change anyway. 35 days is also RDS's cap on automated
 * backups, which the same retention key (`data.aws.postgres.backupRetentionDays`) sets.
 */
export const vaultLock = {
    minRetentionDays: 7,
    maxRetentionDays: 35,
    changeableForDays: 3,
} as const;
