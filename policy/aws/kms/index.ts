import { kmsKeyRotation } from "./key";

export * from "./key";

export const kmsPolicies = [kmsKeyRotation];
