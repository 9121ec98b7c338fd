import { createHash } from "crypto";

/**
 * `name` when it fits in `max` characters; else its first characters and a digest of the whole, so
 * the name stays unique and the same on every run. For names an AWS API caps (an EventBridge rule:
 * 64 characters) but which carry the stack's name, whose length the project does not control.
 */
export function fitName(name: string, max: number): string {
    if (name.length <= max) return name;
    const digest = createHash("sha256").update(name).digest("hex").slice(0, 8);
    return `${name.slice(0, max - digest.length - 1).replace(/[-_.]+$/, "")}-${digest}`;
}
