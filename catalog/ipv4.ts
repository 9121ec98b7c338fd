/**
 * IPv4 address arithmetic as plain functions, free of SDK imports: config validation and the
 * cluster components carve and compare VPC ranges with the same rules.
 */

/** An IPv4 CIDR block as numbers, for arithmetic. */
export interface Ipv4Block {
    /** Network address as an unsigned 32-bit integer. */
    readonly base: number;
    readonly prefix: number;
}

export function parseCidr(cidr: string): Ipv4Block {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
    const octets = m ? m.slice(1, 5).map(Number) : [];
    const prefix = m ? Number(m[5]) : NaN;
    if (!m || octets.some((o) => o > 255) || prefix > 32) throw new Error(`${cidr} is not an IPv4 CIDR block`);
    const base = octets.reduce((acc, o) => acc * 256 + o, 0);
    if (base % blockSize(prefix) !== 0)
        throw new Error(`${cidr} has host bits set; did you mean ${formatCidr({ base: base - (base % blockSize(prefix)), prefix })}?`);
    return { base, prefix };
}

export function formatCidr(block: Ipv4Block): string {
    const o = [24, 16, 8, 0].map((shift) => Math.floor(block.base / 2 ** shift) % 256);
    return `${o.join(".")}/${block.prefix}`;
}

export function cidrsOverlap(a: string, b: string): boolean {
    const x = parseCidr(a);
    const y = parseCidr(b);
    return x.base < y.base + blockSize(y.prefix) && y.base < x.base + blockSize(x.prefix);
}

/** Public and private subnet ranges, index i belonging to availability zone i. */
export interface SubnetPlan {
    readonly public: string[];
    readonly private: string[];
}

/**
 * Carves one public and one private subnet per zone out of a VPC range. Private subnets hold nodes
 * and pods (the VPC CNI gives every pod a VPC address), so they get the large equal slices; the
 * public subnets only hold NAT gateways and load balancers, so they share the one slice left over.
 * A /16 over 3 zones gives private /18s and public /20s.
 */
export function planSubnets(vpcCidr: string, zones: number): SubnetPlan {
    if (!Number.isInteger(zones) || zones < 1) throw new Error(`availability zone count must be a positive integer (got ${zones})`);
    const vpc = parseCidr(vpcCidr);
    // AWS accepts VPC ranges from /16 to /28.
    if (vpc.prefix < 16 || vpc.prefix > 28) throw new Error(`VPC range ${vpcCidr} must be between /16 and /28`);

    // One slice per zone plus one spare that the public subnets share.
    const privatePrefix = vpc.prefix + Math.ceil(Math.log2(zones + 1));
    const publicPrefix = privatePrefix + Math.ceil(Math.log2(zones));
    // AWS's smallest subnet is a /28.
    if (publicPrefix > 28)
        throw new Error(
            `VPC range ${vpcCidr} is too small for ${zones} zones: public subnets would be /${publicPrefix}, smaller than AWS's /28`,
        );

    const publicBase = vpc.base + (2 ** (privatePrefix - vpc.prefix) - 1) * blockSize(privatePrefix);
    const indexes = [...Array(zones).keys()];
    return {
        private: indexes.map((i) => formatCidr({ base: vpc.base + i * blockSize(privatePrefix), prefix: privatePrefix })),
        public: indexes.map((i) => formatCidr({ base: publicBase + i * blockSize(publicPrefix), prefix: publicPrefix })),
    };
}

function blockSize(prefix: number): number {
    return 2 ** (32 - prefix);
}
