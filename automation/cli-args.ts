import { parseArgs } from "util";

/**
 * The one command-line parser of the project's CLIs (plan, policy, deploy, bench): Node's own
 * `util.parseArgs`, with the rules a user of `pulumi` and `terraform` expects on top. Pulumi's short
 * flags where the meaning is the same (`-s` stack, `-j` json, `-y` yes, `-h` help); a flag that
 * takes one value given twice is refused instead of the last one silently winning; an unknown flag
 * is answered in one line with the nearest known flag and a pointer to --help. A problem is one
 * line; every CLI exits 2 on it.
 */

export interface OptionSpec {
    readonly type: "string" | "boolean";
    readonly short?: string;
    /** May be given more than once (a list). Default: no. */
    readonly multiple?: boolean;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type Values<T extends OptionSpecs> = {
    [K in keyof T]?: T[K]["type"] extends "boolean" ? boolean : T[K]["multiple"] extends true ? string[] : string;
};

export type Parsed<T extends OptionSpecs> = { values: Values<T>; positionals: string[] } | { problem: string };

/**
 * Parses `argv` against `options`. `command` is what the user typed (`npm run plan --`), for the
 * pointer to its --help.
 */
export function parseCommandLine<T extends OptionSpecs>(
    argv: string[],
    options: T,
    command: string,
    { positionals = false }: { positionals?: boolean } = {},
): Parsed<T> {
    const help = `${command} --help lists the options`;
    const { tokens } = parseArgs({ args: argv, options: options as never, strict: false, allowPositionals: true, tokens: true });
    const seen = new Map<string, number>();
    const values: Record<string, unknown> = {};
    const rest: string[] = [];
    for (const token of tokens) {
        if (token.kind === "positional") {
            if (!positionals) return { problem: `unexpected argument ${JSON.stringify(token.value)}; ${help}` };
            rest.push(token.value);
            continue;
        }
        if (token.kind !== "option") continue;
        const spec = options[token.name];
        if (!spec) {
            const near = nearest(token.name, Object.keys(options));
            return { problem: `unknown option ${token.rawName}${near ? `; did you mean --${near}?` : ""} (${help})` };
        }
        const count = (seen.get(token.name) ?? 0) + 1;
        seen.set(token.name, count);
        if (count > 1 && !spec.multiple) return { problem: `--${token.name} is given more than once; give it once (${help})` };
        if (spec.type === "boolean") {
            if (token.value !== undefined) return { problem: `--${token.name} takes no value (got ${JSON.stringify(token.value)})` };
            values[token.name] = true;
        } else {
            if (token.value === undefined) return { problem: `--${token.name} needs a value (${help})` };
            values[token.name] = spec.multiple ? [...((values[token.name] as string[] | undefined) ?? []), token.value] : token.value;
        }
    }
    return { values: values as Values<T>, positionals: rest };
}

/** The known name closest to `name` (at most a third of its letters off), or undefined. */
function nearest(name: string, known: string[]): string | undefined {
    let best: { name: string; distance: number } | undefined;
    for (const k of known) {
        const d = editDistance(name, k);
        if (!best || d < best.distance) best = { name: k, distance: d };
    }
    return best && best.distance <= Math.max(2, Math.floor(name.length / 3)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let diagonal = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const above = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
            diagonal = above;
        }
    }
    return row[b.length];
}
