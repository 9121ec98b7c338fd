"use strict";
/**
 * Runs this project's TypeScript under plain `node -r ./automation/register.js <file>.ts`, compiled
 * once and then read back: the npm scripts (plan, policy, deploy, bench) and mocha start through it.
 *
 * Each .ts file outside node_modules is transpiled by SWC (no type-checking: that is `npm test`'s
 * `tsc --noEmit`) with the options ts-node derives from tsconfig.json for the Pulumi CLI's runs, and
 * the result is kept in node_modules/.cache/saleor-ts/, named by a hash of the source, its path,
 * the SWC version and the options. A later run with the same source reads it back without loading
 * SWC, ts-node or the TypeScript compiler: on the production plan that was about a quarter of a
 * second of start-up beyond the SDKs (`npm run bench`). A changed file gets a new name; stale
 * entries are harmless and go with `rm -rf node_modules/.cache/saleor-ts`.
 *
 * Each output carries an inline source map. Node reads them only with `--enable-source-maps`, which
 * mocha passes (stack traces of failing specs point into the TypeScript); the plan leaves it off,
 * as reading every SDK module's map on start-up costs it another tenth of a second; a program error
 * is mapped on its own (automation/plan/error-location.ts, through `compiledSource` below).
 */
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");

const root = path.resolve(__dirname, "..");
/** Where compiled files are kept; SALEOR_TS_CACHE moves it (the specs use a scratch directory). */
const cacheDir = process.env.SALEOR_TS_CACHE || path.join(root, "node_modules", ".cache", "saleor-ts");
const swcVersion = require("@swc/core/package.json").version;

/**
 * What ts-node's SWC transpiler makes of tsconfig.json (target ES2022, CommonJS with
 * esModuleInterop, strict): the same emitted code under mocha, the plan and `pulumi up`.
 */
const swcOptions = {
    swcrc: false,
    configFile: false,
    sourceMaps: "inline",
    module: { type: "commonjs", noInterop: false, strictMode: true, ignoreDynamic: false },
    jsc: {
        parser: { syntax: "typescript", tsx: false, decorators: false, dynamicImport: true },
        target: "es2022",
        keepClassNames: true,
        transform: { useDefineForClassFields: true, legacyDecorator: true },
    },
};
const optionsKey = JSON.stringify([swcVersion, swcOptions]);

let swc;
function transpile(source, filename) {
    swc ??= require("@swc/core");
    return swc.transformSync(source, { ...swcOptions, filename }).code;
}

/** The compiled file for `source` at `filename`: read from the cache, or compiled and stored. */
function compiled(source, filename) {
    const hash = crypto.createHash("sha256").update(optionsKey).update("\0").update(filename).update("\0").update(source).digest("hex");
    const cached = path.join(cacheDir, `${hash.slice(0, 40)}.js`);
    try {
        return fs.readFileSync(cached, "utf8");
    } catch {
        // Not compiled yet.
    }
    const code = transpile(source, filename);
    try {
        fs.mkdirSync(cacheDir, { recursive: true });
        // Written aside and renamed: a concurrent run never reads half a file.
        const temporary = `${cached}.${process.pid}.tmp`;
        fs.writeFileSync(temporary, code);
        fs.renameSync(temporary, cached);
    } catch {
        // A read-only tree still runs, compiling each time.
    }
    return code;
}

const compileJs = Module._extensions[".js"];
Module._extensions[".ts"] = function (module, filename) {
    if (filename.includes(`${path.sep}node_modules${path.sep}`) || filename.endsWith(".d.ts")) {
        return compileJs(module, filename);
    }
    module._compile(compiled(fs.readFileSync(filename, "utf8"), filename), filename);
};

/**
 * The JavaScript this loader ran for `filename` (from the cache), with its inline source map: what
 * the plan reads to point a program error at a line of TypeScript.
 */
module.exports.compiledSource = (filename) => compiled(fs.readFileSync(filename, "utf8"), filename);
