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
 *
 * V8's compiled code of each module is kept too (see "V8 code cache" below), for the project's
 * TypeScript and for the packages' JavaScript alike: a later run starts from it instead of parsing
 * and compiling every module again.
 */
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");
const vm = require("vm");
const { Buffer } = require("buffer");

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
    return compiledWithHash(source, filename).code;
}

/** compiled(), with the hash that names it: the same hash, the same code. */
function compiledWithHash(source, filename) {
    const hash = crypto.createHash("sha256").update(optionsKey).update("\0").update(filename).update("\0").update(source).digest("hex");
    const cached = path.join(cacheDir, `${hash.slice(0, 40)}.js`);
    try {
        return { code: fs.readFileSync(cached, "utf8"), hash };
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
    return { code, hash };
}

// ---- V8 code cache ------------------------------------------------------------------------------
//
// Node compiles every module it loads from source, each run: on the production plan some 900
// modules (the SDKs' and ours), about a tenth of its CPU time, plus each function the first time it
// runs. Here a module is compiled through vm.Script with the code V8 made of it in an earlier run
// (`cachedData`), and for a module that had none, or whose code V8 refused (another V8, other
// flags), V8's code is written to the cache when the process exits, with every function the run
// compiled. Node 22 does the same with module.enableCompileCache(); this Node (20) has no such API.
//
// Which modules: those Node's own loader compiles as CommonJS from a file (.js, .cjs) and this
// loader's TypeScript, apart from the main module (Node's loader keeps a cache of file lookups
// while it runs), a file starting with `#!` and one that may call `import()`. Everything else, and every module while source maps
// are on (mocha: Node registers each module's map when it compiles it), compiles as Node does.
// The module runs with the arguments and `require` Node's loader gives it.
//
// Each entry is named by a hash of the module's path and of this Node's version, and starts with
// what identifies the code it was made from: the transpile cache's hash for TypeScript, the file's
// content (SHA-1) for JavaScript. A changed module's entry is replaced, not added to.

const codeCacheDir = path.join(cacheDir, "v8");
const codeCacheKey = JSON.stringify([process.version, process.versions.v8, process.arch]);
/** Scripts compiled without usable cached code this run: their code is written at exit. */
const uncached = [];

/**
 * `import(...)`, which a vm.Script runs only with a loader of its own (on this Node not even with
 * the main one once the code comes from the cache): a module that may call it compiles as Node does.
 */
const dynamicImport = /\bimport\s*\(/;

/** The cache entry of the module at `filename`. */
function codeCacheFile(filename) {
    return path.join(
        codeCacheDir,
        `${crypto.createHash("sha256").update(codeCacheKey).update("\0").update(filename).digest("hex").slice(0, 40)}.bin`,
    );
}

/** The cached code for `filename` made from the code `identity` names, or undefined. */
function readCodeCache(file, identity) {
    let entry;
    try {
        entry = fs.readFileSync(file);
    } catch {
        return undefined;
    }
    const header = Buffer.from(`${identity}\n`);
    return entry.length > header.length && entry.subarray(0, header.length).equals(header) ? entry.subarray(header.length) : undefined;
}

/** Writes V8's code of each script that had none; the process is about to end. */
function saveCodeCache() {
    const pending = uncached.splice(0);
    if (pending.length === 0) return;
    try {
        fs.mkdirSync(codeCacheDir, { recursive: true });
    } catch {
        return;
    }
    for (const { script, file, identity } of pending) {
        try {
            const temporary = `${file}.${process.pid}.${require("worker_threads").threadId}.tmp`;
            fs.writeFileSync(temporary, Buffer.concat([Buffer.from(`${identity}\n`), script.createCachedData()]));
            fs.renameSync(temporary, file);
        } catch {
            // A read-only tree still runs, compiling each time.
        }
    }
}
process.once("exit", saveCodeCache);

/**
 * Compiles and runs `content`, the CommonJS module `module` at `filename` whose code `identity`
 * names, as Node's Module.prototype._compile does, but through vm.Script with V8's cached code.
 * Returns false, having run nothing, when the module must compile as Node does: then it is not cached.
 */
function runWithCodeCache(module, content, filename, identity) {
    if (process.sourceMapsEnabled || module.id === "." || content.startsWith("#!") || dynamicImport.test(content)) return false;
    const file = codeCacheFile(filename);
    const cachedData = readCodeCache(file, identity);
    let script;
    try {
        // The wrapper on a line of its own (lineOffset -1): line and column numbers are the file's.
        script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${content}\n})`, {
            filename,
            lineOffset: -1,
            cachedData,
        });
    } catch {
        // Not a script V8 compiles as CommonJS (an ES module Node's loader may still run): Node decides.
        return false;
    }
    if (cachedData === undefined || script.cachedDataRejected) uncached.push({ script, file, identity });
    const wrapper = script.runInThisContext({ displayErrors: true });
    // The `require` Node's loader makes for a module (lib/internal/modules/helpers.js, makeRequireFunction).
    const require = (id) => module.require(id);
    require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
    require.resolve.paths = (request) => Module._resolveLookupPaths(request, module);
    require.main = process.mainModule;
    require.extensions = Module._extensions;
    require.cache = Module._cache;
    Reflect.apply(wrapper, module.exports, [module.exports, require, module, filename, path.dirname(filename)]);
    return true;
}

const nodeCompile = Module.prototype._compile;
/** Set while Node's loader reads a JavaScript file: its name, for the _compile call that follows. */
let loadingJs;
const compileJs = Module._extensions[".js"];
Module._extensions[".js"] = function (module, filename) {
    const outer = loadingJs;
    loadingJs = filename;
    try {
        return compileJs(module, filename);
    } finally {
        loadingJs = outer;
    }
};
Module.prototype._compile = function (content, filename, format) {
    const loading = loadingJs;
    loadingJs = undefined;
    if (loading === filename && (format === undefined || format === "commonjs")) {
        // Named by the content, not the file's size and time: npm writes every file of a package with
        // one fixed time, and V8 checks only the source's length before it runs cached code, so a new
        // version's file of the same length would run the old one's (about 4 ms for a plan's 5 MB).
        const digest = crypto.createHash("sha1").update(content).digest("hex");
        if (runWithCodeCache(this, content, filename, `js:${digest}`)) return undefined;
    }
    return Reflect.apply(nodeCompile, this, arguments);
};

Module._extensions[".ts"] = function (module, filename) {
    if (filename.includes(`${path.sep}node_modules${path.sep}`) || filename.endsWith(".d.ts")) {
        return compileJs(module, filename);
    }
    const { code, hash } = compiledWithHash(fs.readFileSync(filename, "utf8"), filename);
    if (!runWithCodeCache(module, code, filename, `ts:${hash}`)) nodeCompile.call(module, code, filename);
};

/** Writes the V8 code cache now, for a worker thread, whose `exit` event does not come when it is terminated. */
module.exports.saveCodeCache = saveCodeCache;

/**
 * The JavaScript this loader ran for `filename` (from the cache), with its inline source map: what
 * the plan reads to point a program error at a line of TypeScript.
 */
module.exports.compiledSource = (filename) => compiled(fs.readFileSync(filename, "utf8"), filename);
