/**
 * EC2 facts as plain data, free of SDK imports: config validation and the node groups read them.
 */

/** Availability zones a region's VPC spans unless told otherwise: one subnet pair and NAT per zone. */
export const defaultAvailabilityZoneCount = 3;

/** Graviton instance families (m7g, c6gn, t4g, r8gd ...) run the ARM image; the rest take x86-64. */
export function isArmInstanceType(instanceType: string): boolean {
    return /^[a-z]+\d+g[a-z]*\./.test(instanceType);
}
