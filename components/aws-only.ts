/**
 * The AWS SDK and the components only a stack on AWS builds. The program loads this module only
 * for such a stack: a stack on an existing cluster (kind) never loads @pulumi/aws, whose ~300
 * modules were a third of the dev plan's time beyond the SDK's own (`npm run bench`).
 */
export * as aws from "@pulumi/aws";
export { RegionPeering } from "./cluster/peering";
export { BackupVault } from "./data/aws/vault";
export { createReleaseSnapshots } from "./data/aws/release-snapshot";
export { MediaCdn, RegionalEdge, withMediaCustomDomain } from "./edge";
export { AlertTopic, RegionalAlarms, lookupIngressLoadBalancer } from "./observability";
export { RegionalLogs } from "./logs";
export { ImageRegistry } from "./registry";
export { SesMail } from "./mail/ses";
export { SecretsManagerSecrets } from "./secrets/secrets-manager";
export { createSecretReadGrant } from "./secrets/secret-grant";
export { appRole, databaseName, postgresUrl } from "./data/aws/postgres";
export { rdsRootCertificates } from "./data/aws/rds-ca";
