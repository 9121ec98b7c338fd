import { ec2Policies } from "./ec2";
import { ecrPolicies } from "./ecr";
import { eksPolicies } from "./eks";
import { elasticachePolicies } from "./elasticache";
import { iamPolicies } from "./iam";
import { kmsPolicies } from "./kms";
import { rdsPolicies } from "./rds";
import { secretsManagerPolicies } from "./secretsmanager";

export * from "./ec2";
export * from "./ecr";
export * from "./eks";
export * from "./elasticache";
export * from "./iam";
export * from "./kms";
export * from "./rds";
export * from "./secretsmanager";
export * from "./types";

/** Rules that judge one AWS resource at a time. */
export const awsPolicies = [
    ...rdsPolicies,
    ...elasticachePolicies,
    ...ecrPolicies,
    ...kmsPolicies,
    ...secretsManagerPolicies,
    ...ec2Policies,
    ...eksPolicies,
    ...iamPolicies,
];
