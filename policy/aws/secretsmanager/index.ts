import { secretsManagerCustomerKey } from "./secret";

export * from "./secret";

export const secretsManagerPolicies = [secretsManagerCustomerKey];
