/** An IPv4 range: its first address as a number and its prefix length. */
export interface Ipv4Range {
    readonly base: number;
    readonly prefix: number;
}

/** "10.0.0.0/16" -> its range; undefined for anything else (IPv6, malformed). */
export function parseIpv4Cidr(cidr: string): Ipv4Range | undefined {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
    if (!match) return undefined;
    const octets = match.slice(1, 5).map(Number);
    const prefix = Number(match[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return undefined;
    const address = octets.reduce((acc, o) => acc * 256 + o, 0);
    const size = 2 ** (32 - prefix);
    return { base: address - (address % size), prefix };
}

/** Whether `outer` holds every address of `inner`. */
export function containsRange(outer: Ipv4Range, inner: Ipv4Range): boolean {
    if (outer.prefix > inner.prefix) return false;
    const size = 2 ** (32 - outer.prefix);
    return inner.base - (inner.base % size) === outer.base;
}
