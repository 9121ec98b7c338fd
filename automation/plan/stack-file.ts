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
 * Reads `Pulumi.<stack>.yaml` (or another file) the way the engine reads stack config: keys without
 * a namespace belong to the project, values that are objects or lists reach the program as JSON,
 * `secure:` values are secrets.
 */
export function readStackFile(file: string, project: string): StackFileConfig {
    const text = fs.readFileSync(file, "utf8");
    const doc = (parse(text) ?? {}) as { config?: Record<string, unknown> };
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [rawKey, value] of Object.entries(doc.config ?? {})) {
        const key = rawKey.includes(":") ? rawKey.replace(new RegExp(`^${project}:`), `${namespace}:`) : `${namespace}:${rawKey}`;
        if (isSecure(value)) {
            values[key] = securePlaceholder;
            secretKeys.push(key);
        } else {
            values[key] = typeof value === "string" ? value : JSON.stringify(value);
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
