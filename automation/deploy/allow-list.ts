import * as yaml from "js-yaml";

// The allow-list of the image scans (.github/trivy-allowlist.yaml, Trivy's .trivyignore.yaml
// format): the findings the deploy accepts for a while, each with why and until when. The CI scan
// passes the file to Trivy; the deploy driver's scan of the image as built (image-scan.ts) reads it
// here, with the same rules.

/** The longest an entry may be accepted for, from the day it is checked. */
export const MAX_ALLOW_DAYS = 90;

/** YAML 1.2's core schema: dates stay strings. */
const parse = (text: string): unknown => yaml.load(text, { schema: yaml.CORE_SCHEMA });

/** The problems of an allow-list document, as of `today`; none for a valid one. */
export function allowListProblems(text: string, today: Date): string[] {
    let doc: unknown;
    try {
        doc = parse(text);
    } catch (e) {
        return [`not YAML: ${(e as Error).message.split("\n")[0]}`];
    }
    if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return ["must be a mapping with a vulnerabilities list"];
    const problems: string[] = [];
    for (const key of Object.keys(doc)) if (key !== "vulnerabilities") problems.push(`${key}: only vulnerabilities may be allowed`);
    const entries = (doc as { vulnerabilities?: unknown }).vulnerabilities;
    if (!Array.isArray(entries)) return [...problems, "vulnerabilities must be a list"];
    const latest = new Date(today.getTime() + MAX_ALLOW_DAYS * 86_400_000).toISOString().slice(0, 10);
    entries.forEach((entry: Record<string, unknown>, i) => {
        const at = `vulnerabilities[${i}]`;
        if (typeof entry?.id !== "string" || !/^(CVE-\d{4}-\d{4,}|GHSA(-[23456789cfghjmpqrvwx]{4}){3})$/.test(entry.id))
            problems.push(`${at}.id: a CVE or GHSA identifier`);
        if (typeof entry?.statement !== "string" || entry.statement.trim().length < 10)
            problems.push(`${at}.statement: why the risk is accepted`);
        const expiry = entry?.expired_at;
        const valid =
            typeof expiry === "string" &&
            /^\d{4}-\d{2}-\d{2}$/.test(expiry) &&
            new Date(`${expiry}T00:00:00Z`).toISOString().slice(0, 10) === expiry;
        if (!valid) problems.push(`${at}.expired_at: a date YYYY-MM-DD`);
        else if (expiry > latest) problems.push(`${at}.expired_at: ${expiry} is more than ${MAX_ALLOW_DAYS} days ahead (latest ${latest})`);
    });
    return problems;
}
