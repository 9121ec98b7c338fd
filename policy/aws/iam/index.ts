import { iamPermissionsBoundarySet } from "./boundary";
import { iamNoFullAdmin } from "./policy";
import { iamTrustServiceConditioned } from "./trust";

export * from "./boundary";
export * from "./policy";
export * from "./trust";

export const iamPolicies = [iamNoFullAdmin, iamTrustServiceConditioned, iamPermissionsBoundarySet];
