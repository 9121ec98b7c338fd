export {
    AlertTopic,
    backupJobFailureMessages,
    backupJobFailurePatterns,
    subscriptionProblems,
    type AlertSubscriptions,
    type AlertTopicArgs,
} from "./alerts";
export {
    RegionalAlarms,
    cacheMemberIds,
    lookupIngressLoadBalancer,
    type DatabaseInstanceFacts,
    type RegionalAlarmsArgs,
    type ReplicaFacts,
} from "./regional-alarms";
export { defaultThresholds, type AlarmThresholds } from "./thresholds";
export { connectionThreshold, instanceMemoryGiB, postgresMaxConnections, storageThresholdBytes } from "./database-limits";
export { observabilityEnv, type ObservabilityEnv, type ObservabilityEnvArgs } from "./env";
