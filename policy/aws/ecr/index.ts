import { ecrImmutableTags, ecrScanOnPush } from "./repository";

export * from "./repository";

export const ecrPolicies = [ecrScanOnPush, ecrImmutableTags];
