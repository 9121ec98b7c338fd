import { iamNoFullAdmin } from "./policy";
import { iamTrustServiceConditioned } from "./trust";

export * from "./policy";
export * from "./trust";

export const iamPolicies = [iamNoFullAdmin, iamTrustServiceConditioned];
