import { EnforcementLevel, Policies } from "@pulumi/policy";
import { awsPolicies } from "./aws";
import { kubernetesPolicies } from "./kubernetes";
import { stackPolicies } from "./stack";

/** The pack's name, as `pulumi preview` reports it next to every violation. */
export const policyPackName = "saleor-guard";

/** Level for a policy that neither its own definition nor the stack's config sets (the engine's default). */
export const packEnforcementLevel: EnforcementLevel = "advisory";

/**
 * Every rule of the pack, importable without starting it: the pack (index.ts), the offline runner
 * (offline.ts), the rule table (table.ts) and the tests all read this one list.
 */
export const policies: Policies = [...awsPolicies, ...kubernetesPolicies, ...stackPolicies];
