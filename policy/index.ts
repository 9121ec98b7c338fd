import { PolicyPack } from "@pulumi/policy";
import { packEnforcementLevel, policies, policyPackName } from "./rules";

// Constructing the pack starts the analyzer's gRPC server: nothing but the engine loads this file.
new PolicyPack(policyPackName, {
    policies,
    enforcementLevel: packEnforcementLevel,
    description:
        "Security and sizing rules for the Saleor stacks; per-stack thresholds and enforcement live in policy/config/<stack>.json.",
});
