import * as path from "path";
import { originalPositionFor, TraceMap } from "@jridgewell/trace-mapping";

/**
 * Where a program error happened, in the project's TypeScript. The plan runs the TypeScript as
 * JavaScript compiled by automation/register.js, and keeps source maps off (loading every module's
 * map costs start-up time), so an error's stack names lines of the compiled code. On the error path
 * only, each frame in a project file is mapped back through the inline source map of that file's
 * compiled code.
 */

/** One frame of a stack: a file and a 1-based line and column. */
export interface Location {
    readonly file: string;
    readonly line: number;
    readonly column: number;
}

interface Loader {
    compiledSource?(filename: string): string;
}

/** automation/register.js when it loaded this process's TypeScript. */
function loader(): Loader | undefined {
    const id = require.resolve("../register.js");
    return (require.cache[id]?.exports as Loader | undefined) ?? undefined;
}

const maps = new Map<string, TraceMap | undefined>();

/** The source map of `file`'s compiled code, when register.js compiled it. */
function mapOf(file: string): TraceMap | undefined {
    if (!maps.has(file)) {
        let map: TraceMap | undefined;
        try {
            const code = loader()?.compiledSource?.(file);
            const inline =
                code && /\/\/# sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)\s*$/.exec(code);
            if (inline) map = new TraceMap(Buffer.from(inline[1], "base64").toString("utf8"));
        } catch {
            map = undefined;
        }
        maps.set(file, map);
    }
    return maps.get(file);
}

/** `file:line:column` of a frame mapped to TypeScript where a map is known, else as given. */
function mapped(loc: Location): Location {
    // With --enable-source-maps (mocha, NODE_OPTIONS) Node has already mapped every frame.
    if ((process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled) return loc;
    const map = loc.file.endsWith(".ts") ? mapOf(loc.file) : undefined;
    if (!map) return loc;
    const original = originalPositionFor(map, { line: loc.line, column: loc.column - 1 });
    return original.line === null ? loc : { file: loc.file, line: original.line, column: original.column + 1 };
}

const framePattern = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

/** Every frame of `stack` in a TypeScript file, mapped to its TypeScript line. */
export function typeScriptFrames(stack: string | undefined): Location[] {
    return (stack ?? "").split("\n").flatMap((line) => {
        const m = framePattern.exec(line);
        if (!m || !m[1].endsWith(".ts") || m[1].includes(`${path.sep}node_modules${path.sep}`)) return [];
        return [mapped({ file: m[1], line: Number(m[2]), column: Number(m[3]) })];
    });
}

/** `stack` with every TypeScript frame's position mapped to TypeScript. */
export function mappedStack(stack: string | undefined): string {
    return (stack ?? "")
        .split("\n")
        .map((line) => {
            const m = framePattern.exec(line);
            if (!m || !m[1].endsWith(".ts")) return line;
            const loc = mapped({ file: m[1], line: Number(m[2]), column: Number(m[3]) });
            return line.replace(`${m[1]}:${m[2]}:${m[3]}`, `${loc.file}:${loc.line}:${loc.column}`);
        })
        .join("\n");
}
