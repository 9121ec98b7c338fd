import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { projectRoot } from "../../automation/plan/evaluate";

/**
 * The import graph of the program's own sources, read from the files rather than from what a run
 * happens to load: `import type`, `export ... from`, `require(...)` and `import(...)` all count, as
 * a type-only cycle still ties the files' shapes together and a lazy `require` is still a dependency.
 */

/** The program's sources; tests and policy's own node_modules are not part of it. */
const roots = ["index.ts", "catalog", "config", "components", "automation", "policy", "stack", "bootstrap"];

function sourcesUnder(rel: string): string[] {
    const abs = path.join(projectRoot, rel);
    if (!fs.existsSync(abs)) return [];
    if (fs.statSync(abs).isFile()) return rel.endsWith(".ts") ? [rel] : [];
    return fs
        .readdirSync(abs)
        .filter((entry) => entry !== "node_modules")
        .flatMap((entry) => sourcesUnder(path.posix.join(rel, entry)));
}

/** A relative specifier as Node and TypeScript resolve it: the file, `.ts`/`.js` added, or the folder's index. */
function resolve(from: string, specifier: string): string | undefined {
    const base = path.posix.join(path.posix.dirname(from), specifier);
    const candidates = [`${base}.ts`, `${base}/index.ts`, base, `${base}.js`, `${base}/index.js`];
    return candidates.find((c) => fs.existsSync(path.join(projectRoot, c)) && fs.statSync(path.join(projectRoot, c)).isFile());
}

interface Graph {
    /** Project-relative file → the project files it imports, in source order. */
    readonly edges: Map<string, string[]>;
    /** Relative specifiers that name no file. */
    readonly unresolved: string[];
}

function importGraph(): Graph {
    const files = roots.flatMap(sourcesUnder);
    const edges = new Map<string, string[]>();
    const unresolved: string[] = [];
    for (const file of files) {
        const text = fs.readFileSync(path.join(projectRoot, file), "utf8");
        // readImportFiles: import/export-from (`import type` included); detectJavaScriptImports: require() and import().
        const { importedFiles } = ts.preProcessFile(text, true, true);
        const targets: string[] = [];
        for (const { fileName } of importedFiles) {
            if (!fileName.startsWith(".")) continue;
            const target = resolve(file, fileName);
            if (target === undefined) unresolved.push(`${file}: "${fileName}"`);
            else if (!targets.includes(target)) targets.push(target);
        }
        edges.set(file, targets);
    }
    return { edges, unresolved };
}

/** Every cycle reached by a depth-first walk, each as its files with the first repeated at the end. */
function cycles(edges: Map<string, string[]>): string[][] {
    const found: string[][] = [];
    const done = new Set<string>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const visit = (file: string): void => {
        stack.push(file);
        onStack.add(file);
        for (const next of edges.get(file) ?? []) {
            if (onStack.has(next)) found.push([...stack.slice(stack.indexOf(next)), next]);
            else if (!done.has(next)) visit(next);
        }
        stack.pop();
        onStack.delete(file);
        done.add(file);
    };
    for (const file of [...edges.keys()].sort()) if (!done.has(file)) visit(file);
    return found;
}

describe("import structure", () => {
    const graph = importGraph();

    it("reads the program's sources, and every relative import names a file", () => {
        for (const file of [
            "index.ts",
            "catalog/charts.ts",
            "components/cluster/index.ts",
            "config/index.ts",
            "stack/index.ts",
            "automation/plan-cli.ts",
            "policy/index.ts",
        ]) {
            assert.ok(graph.edges.has(file), `${file} was not read`);
        }
        assert.deepEqual(graph.unresolved, []);
    });

    it("has no import cycles", () => {
        const found = cycles(graph.edges);
        assert.equal(found.length, 0, `import cycles:\n${found.map((c) => `  ${c.join(" -> ")}`).join("\n")}`);
    });

    it("finds a cycle when there is one", () => {
        // The walk itself, on a made-up graph: a spec that cannot fail proves nothing.
        const found = cycles(
            new Map([
                ["a", ["b"]],
                ["b", ["c"]],
                ["c", ["a"]],
                ["d", ["a"]],
            ]),
        );
        assert.deepEqual(found, [["a", "b", "c", "a"]]);
    });

    it("keeps components/ free of the config model, the automation and the program", () => {
        // Components take explicit arguments: whatever assembles them (index.ts, stack/) reads config.
        const forbidden = (target: string) => target === "index.ts" || /^(config|automation|stack)\//.test(target);
        const offending = [...graph.edges]
            .filter(([file]) => file.startsWith("components/"))
            .flatMap(([file, targets]) => targets.filter(forbidden).map((t) => `${file} -> ${t}`));
        assert.deepEqual(offending, []);
    });
    /** Project files under `folder` that import a project file `allowed` refuses. */
    const offendersIn = (folder: string, allowed: (target: string) => boolean) =>
        [...graph.edges]
            .filter(([file]) => file.startsWith(folder))
            .flatMap(([file, targets]) => targets.filter((t) => !allowed(t)).map((t) => `${file} -> ${t}`));

    it("keeps config/ a leaf: it reads only the catalog's plain data", () => {
        assert.deepEqual(
            offendersIn("config/", (t) => /^(config|catalog)\//.test(t)),
            [],
        );
    });

    it("keeps catalog/ plain data that imports nothing of the project", () => {
        assert.deepEqual(
            offendersIn("catalog/", (t) => t.startsWith("catalog/")),
            [],
        );
    });

    it("keeps the bootstrap a program of its own: it reads only the catalog's plain data", () => {
        assert.deepEqual(
            offendersIn("bootstrap/", (t) => /^(bootstrap|catalog)\//.test(t)),
            [],
        );
    });

    it("keeps the policy pack standalone, so it judges any program", () => {
        assert.deepEqual(
            offendersIn("policy/", (t) => t.startsWith("policy/")),
            [],
        );
    });

    it("lets nothing but automation/ itself import automation/", () => {
        assert.deepEqual(
            offendersIn("", (t) => !t.startsWith("automation/")).filter((o) => !o.startsWith("automation/")),
            [],
        );
    });

    it("keeps the output contract free of code, so the deploy driver reads it without the SDK", () => {
        assert.deepEqual(
            offendersIn("stack/outputs.ts", () => false),
            [],
        );
    });
});
