import { securityGroupNoPublicIngress } from "./security-group";

export * from "./security-group";

export const ec2Policies = [securityGroupNoPublicIngress];
