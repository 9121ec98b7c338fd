function escape(text: string): string {
    return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

/** `*` stands for any run of characters within one path segment (no "/"). */
function globSource(pattern: string): string {
    return pattern.split("*").map(escape).join("[^/]*");
}

/** Whole-value match: "m7i.*" matches "m7i.2xlarge", "db.t*" matches "db.t4g.large". */
export function globMatches(value: string, pattern: string): boolean {
    return new RegExp(`^${globSource(pattern)}$`).test(value);
}

/** Prefix match: "*.dkr.ecr.eu-west-1.amazonaws.com/" matches "123456789012.dkr.ecr.eu-west-1.amazonaws.com/saleor:3.23.5". */
export function globPrefixMatches(value: string, pattern: string): boolean {
    return new RegExp(`^${globSource(pattern)}`).test(value);
}
