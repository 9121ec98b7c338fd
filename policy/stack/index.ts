import { backupPlanFrequencyRetention } from "./backup-plan";
import { celeryBeatOnePerStack } from "./celery-beat-per-stack";
import { coreWaitsForMigration } from "./core-migration";
import { ecrLifecyclePolicyAttached } from "./ecr-lifecycle";
import { stackMultiRegion } from "./multi-region";
import { nodeGroupVcpuBudget } from "./node-vcpu-budget";
import { deploymentHasDisruptionBudget } from "./pod-disruption-budget";
import { s3PublicAccessBlocked, s3ServerSideEncrypted, s3VersioningEnabled } from "./s3-bucket";

export * from "./backup-plan";
export * from "./celery-beat-per-stack";
export * from "./companion";
export * from "./core-migration";
export * from "./ecr-lifecycle";
export * from "./multi-region";
export * from "./node-vcpu-budget";
export * from "./pod-disruption-budget";
export * from "./s3-bucket";

/** Rules that judge the stack as a whole: relations between resources, totals and presence. */
export const stackPolicies = [
    s3PublicAccessBlocked,
    s3ServerSideEncrypted,
    s3VersioningEnabled,
    ecrLifecyclePolicyAttached,
    coreWaitsForMigration,
    celeryBeatOnePerStack,
    deploymentHasDisruptionBudget,
    stackMultiRegion,
    nodeGroupVcpuBudget,
    backupPlanFrequencyRetention,
];
