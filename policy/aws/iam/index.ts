import { iamNoFullAdmin } from "./policy";

export * from "./policy";

export const iamPolicies = [iamNoFullAdmin];
