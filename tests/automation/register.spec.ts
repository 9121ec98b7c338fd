import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "../../automation/plan/evaluate";

/**
 * automation/register.js runs the npm scripts' TypeScript: compiled by SWC once, then read back from
 * its cache. Each run here is a fresh process with a scratch cache.
 */
describe("TypeScript loader (automation/register.js)", () => {
    let dir: string;
    let cache: string;
    let program: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "saleor-register-"));
        cache = path.join(dir, "cache");
        program = path.join(dir, "program.ts");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Runs `program`; prints what it prints, then whether SWC's code was loaded in that process (its package.json is read always, for the cache key). */
    const run = () => {
        const r = spawnSync(process.execPath, ["-r", "./automation/register.js", "-r", path.join(dir, "report.js"), program], {
            cwd: projectRoot,
            encoding: "utf8",
            env: { ...process.env, SALEOR_TS_CACHE: cache },
        });
        assert.equal(r.status, 0, r.stderr);
        const [out, swc] = r.stdout.trim().split("\n");
        return { out, swcLoaded: swc === "swc:true" };
    };
    const write = (body: string) => fs.writeFileSync(program, body);
    beforeEach(() =>
        fs.writeFileSync(
            path.join(dir, "report.js"),
            `process.on("exit", () => console.log("swc:" + Object.keys(require.cache).some((k) => k.includes("/node_modules/@swc/") && !k.endsWith("package.json"))));\n`,
        ),
    );

    it("runs TypeScript with types erased and esModuleInterop imports, as tsconfig.json sets them", () => {
        write(
            `import assert from "node:assert";\ninterface P { n: number }\nclass C { readonly p: P = { n: 2 }; }\nassert.ok(true);\nconsole.log(new C().p.n * 21, C.name);\n`,
        );
        assert.equal(run().out, "42 C");
    });

    it("compiles a file once: a second run reads the cache and never loads SWC", () => {
        write(`const n: number = 1;\nconsole.log("one", n);\n`);
        assert.deepEqual(run(), { out: "one 1", swcLoaded: true });
        assert.ok(fs.readdirSync(cache).length > 0, "the compiled file is kept");
        assert.deepEqual(run(), { out: "one 1", swcLoaded: false });
    });

    it("keeps V8's compiled code of the modules a run loads, and a later run starts from it", () => {
        write(`import { n } from "./lib";\nconsole.log("sum", n + require("./dep.js"));\n`);
        fs.writeFileSync(path.join(dir, "lib.ts"), `export const n: number = 40;\n`);
        fs.writeFileSync(path.join(dir, "dep.js"), `module.exports = 2;\n`);
        assert.equal(run().out, "sum 42");
        const v8 = path.join(cache, "v8");
        const kept = () => new Map(fs.readdirSync(v8).map((f) => [f, fs.statSync(path.join(v8, f)).mtimeMs]));
        const first = kept();
        // lib.ts, dep.js and report.js (the main module compiles as Node does).
        assert.ok(first.size >= 3, `${first.size} modules' code kept`);
        assert.equal(run().out, "sum 42");
        // V8 took every module's code: none was compiled again and rewritten.
        assert.deepEqual(kept(), first);
    });

    it("runs a module's changed JavaScript, not the code kept for what it was", () => {
        write(`console.log("dep", require("./dep.js"));\n`);
        fs.writeFileSync(path.join(dir, "dep.js"), `module.exports = 1;\n`);
        assert.equal(run().out, "dep 1");
        fs.writeFileSync(path.join(dir, "dep.js"), `module.exports = 2;\n`);
        assert.equal(run().out, "dep 2");
    });

    it("runs a package's new code when an install rewrites a file with the same size and time, as npm does", () => {
        // npm writes every file of a package with the same fixed modification time, and a new version
        // may change a file without changing its length (a version string, an operator).
        write(`console.log("dep", require("./dep.js"));\n`);
        const dep = path.join(dir, "dep.js");
        fs.writeFileSync(dep, `module.exports = "1.0.1";\n`);
        const npmTime = new Date("1985-10-26T08:15:00Z");
        fs.utimesSync(dep, npmTime, npmTime);
        assert.equal(run().out, "dep 1.0.1");
        fs.writeFileSync(dep, `module.exports = "1.0.2";\n`);
        fs.utimesSync(dep, npmTime, npmTime);
        assert.equal(run().out, "dep 1.0.2");
    });

    it("reports an error at its line and column in the module's own file, also from kept code", () => {
        write(`try { require("./fail.js"); } catch (e) { console.log((e as Error).stack!.split("\\n")[1].trim()); }\n`);
        fs.writeFileSync(path.join(dir, "fail.js"), `const a = 1; throw new Error("x" + a);\n`);
        const where = `at Object.<anonymous> (${path.join(dir, "fail.js")}:1:20)`;
        assert.equal(run().out, where);
        assert.equal(run().out, where);
    });

    it("recompiles a changed file instead of running the stale one", () => {
        write(`console.log("before");\n`);
        assert.equal(run().out, "before");
        write(`console.log("after" as string);\n`);
        assert.deepEqual(run(), { out: "after", swcLoaded: true });
    });
});
