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

    it("recompiles a changed file instead of running the stale one", () => {
        write(`console.log("before");\n`);
        assert.equal(run().out, "before");
        write(`console.log("after" as string);\n`);
        assert.deepEqual(run(), { out: "after", swcLoaded: true });
    });
});
