import * as fs from "fs";
import * as path from "path";
import { CORE_SCHEMA, load } from "js-yaml";
import { namespace, type ConfigSource } from "../../config";

/**
 * YAML 1.2's core schema: a value that looks like a date stays the string the engine would pass.
 * js-yaml because the SDK loads it anyway (its Automation API reads stack files with it).
 */
const parse = (text: string): unknown => load(text, { schema: CORE_SCHEMA });

/** A stack's configuration as the engine would hand it to the program: strings, plus which keys are secret. */
export interface StackFileConfig {
    /** `saleor:key` → the string the engine passes (objects and lists as JSON). */
    readonly values: Record<string, string>;
    readonly secretKeys: string[];
    readonly source: ConfigSource;
}

/** Placeholder for a `secure:` value: the offline plan cannot (and must not) decrypt it. */
export const securePlaceholder = "[secret]";

export function projectName(projectDir: string): string {
    const doc = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as { name?: string };
    if (!doc?.name) throw new Error(`${path.join(projectDir, "Pulumi.yaml")} has no project name`);
    return doc.name;
}

/**
 * A config value that is not a string as the engine passes it to the program: Go's json.Marshal of
 * the decoded YAML (pulumi/pulumi sdk/go/common/resource/config, object.MarshalString and
 * Plaintext.marshalText at v3.248.0). So object keys are sorted, recursively, by their bytes, not
 * kept in the stack file's order; and `<`, `>`, `&`, U+2028 and U+2029 in strings are escaped as
 * \u003c, \u003e, \u0026, \u2028 and \u2029. A program that iterates a config object sees its
 * keys in this order under the engine.
 */
export function engineJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(engineJson).join(",")}]`;
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value).sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
        return `{${entries.map(([k, v]) => `${goString(k)}:${engineJson(v)}`).join(",")}}`;
    }
    if (typeof value === "string") return goString(value);
    return JSON.stringify(value);
}

/** A JSON string as Go's encoder writes it (HTML-safe). */
const goString = (s: string): string =>
    JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/**
 * Reads `Pulumi.<stack>.yaml` (or another file) the way the engine reads stack config: keys without
 * a namespace belong to the project, values that are objects or lists reach the program as the engine's JSON (engineJson),
 * `secure:` values are secrets.
 */
/** A stack file the engine would refuse too; its message is the one line the user sees (exit 2). */
export class StackFileError extends Error {}

/**
 * Values a config value may expand to through YAML aliases. A small stack file with nested aliases
 * (an "alias bomb") expands exponentially when the engine's JSON encoding writes it out. Go's
 * yaml.v3 refuses "excessive aliasing" in the same spirit (whether the Pulumi CLI's reader applies
 * it to stack files is unverified here).
 */
const maxExpandedValues = 100_000;

/** How many values `value` expands to, counting each alias's target every time; stops past `limit`. */
function expandedSize(value: unknown, limit: number): number {
    let count = 0;
    const walk = (v: unknown): void => {
        if (++count > limit || !v || typeof v !== "object") return;
        for (const child of Object.values(v as Record<string, unknown>)) {
            walk(child);
            if (count > limit) return;
        }
    };
    walk(value);
    return count;
}

/**
 * The largest stack file read: the project's are a few kilobytes, and a file far past that is a
 * mistake (the wrong file, a generated dump) that would only cost time and memory to parse.
 */
export const maxStackFileBytes = 1024 * 1024;

export function readStackFile(file: string, project: string): StackFileConfig {
    const size = fs.statSync(file).size;
    if (size > maxStackFileBytes) {
        throw new StackFileError(`stack file ${file} is ${size} bytes; a stack file may have at most ${maxStackFileBytes} (1 MiB)`);
    }
    const text = fs.readFileSync(file, "utf8");
    let parsed: unknown;
    try {
        parsed = parse(text);
    } catch (e) {
        // js-yaml's message quotes the lines around the mistake; the reason and the place are enough.
        const { reason, mark } = e as { reason?: string; mark?: { line: number; column: number } };
        const where = mark ? ` (line ${mark.line + 1}, column ${mark.column + 1})` : "";
        throw new StackFileError(`stack file ${file} is not valid YAML: ${reason ?? (e as Error).message}${where}`);
    }
    const doc = (parsed ?? {}) as { config?: Record<string, unknown> };
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [rawKey, value] of Object.entries(doc.config ?? {})) {
        const key = rawKey.includes(":") ? rawKey.replace(new RegExp(`^${project}:`), `${namespace}:`) : `${namespace}:${rawKey}`;
        if (isSecure(value)) {
            values[key] = securePlaceholder;
            secretKeys.push(key);
        } else {
            if (typeof value === "object" && expandedSize(value, maxExpandedValues) > maxExpandedValues) {
                throw new StackFileError(
                    `${key} in stack file ${file} expands its YAML aliases to more than ${maxExpandedValues} values; write the values out instead of nesting aliases`,
                );
            }
            values[key] = typeof value === "string" ? value : engineJson(value);
        }
    }
    const own = (k: string) => `${namespace}:${k}`;
    return {
        values,
        secretKeys,
        source: {
            get: (k) => values[own(k)],
            isSecret: (k) => secretKeys.includes(own(k)),
            keys: () =>
                Object.keys(values)
                    .filter((k) => k.startsWith(`${namespace}:`))
                    .map((k) => k.slice(namespace.length + 1)),
        },
    };
}

function isSecure(v: unknown): boolean {
    return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v;
}
