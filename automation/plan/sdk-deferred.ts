/**
 * Parts of @pulumi/pulumi that an offline plan never runs, loaded on first use instead of with the
 * SDK. `require("@pulumi/pulumi")` loads, among others, the closure serializer (which loads
 * TypeScript, 9 MB, and npm's @npmcli/arborist with about 450 modules of npm's registry, cache and
 * signing code), the Automation API and the provider server; here they were about 280 of the 425 ms
 * the SDK takes to load. The plan registers resources and never serializes a function, drives the
 * CLI or serves a provider, so these modules stay unloaded, and anything that does reach for one gets
 * the real module on first use: the SDK holds a stand-in that loads it when a property is read.
 * Also deferred: gRPC (@grpc/grpc-js, about 65 modules, and the generated gRPC clients), the engine's
 * transport, which the plan's in-process monitor never uses (the SDK reads it for a client it never
 * makes and for the status codes of an engine's errors), with the tracing (@opentelemetry/api) of
 * those clients; the closure serializer's package.json reader (normalize-package-data, with npm's
 * licence and git-host parsers); and the policy pack's analyzer server
 * (@pulumi/policy's server.js, which serves the pack to the engine over gRPC), which the plan's own
 * policy runner never starts.
 *
 * And @pulumi/aws's service namespaces (`aws.s3`, `aws.rds`, ...): its index loads all of them, some
 * 240 modules that define each resource class's lazy getter and register the service's resources
 * for deserializing references to them; a plan uses a few dozen. Each loads when the program first
 * reads it, and a lookup of an AWS resource module the SDK makes outside of loading a module (only
 * to deserialize a reference to an AWS resource) first loads every namespace not loaded yet, so it
 * finds what it found before (awsNamespaceLookups below).
 *
 * This module must load before the SDK (automation/plan-cli.ts imports it first). It does nothing
 * where the SDK is already loaded, and nothing with SALEOR_PLAN_EAGER_SDK=1 (the specs compare the
 * plans both ways). Each stand-in is placed only where the SDK requires the module exactly as below;
 * an SDK of another shape fails the plan, naming its version (the SDK patches' rule, sdk-patches.ts).
 */
import * as fs from "fs";
import * as path from "path";

/** The packages whose files defer a module, and the version each entry below was read from. */
const packages = { "@pulumi/pulumi": "3.248.0", "@pulumi/policy": "1.21.0", "@pulumi/aws": "7.48.0" } as const;

/** Which module is deferred where: the SDK file that requires it and the statement it does it with. */
export interface DeferredModule {
    /** The package of that file; @pulumi/pulumi unless said. */
    readonly package?: keyof typeof packages;
    /** The file of the package that requires it, relative to the package. */
    readonly requiredBy: string;
    /** The request, as written in that file. */
    readonly request: string;
    /** The statement in that file, as this version of the SDK writes it. */
    readonly statement: string;
    /**
     * Whether the file wraps it in TypeScript's `__importStar`, which copies every export of a
     * module without `__esModule` (or `__importDefault`, which wraps it as `default`): the stand-in
     * then says it is an ES module and answers `default` with the module itself, as either would
     * have, without loading it.
     */
    readonly importStar: boolean;
}

export const deferredModules: readonly DeferredModule[] = [
    {
        requiredBy: "runtime/closure/codePaths.js",
        request: "@npmcli/arborist",
        statement: 'const arborist = __importStar(require("@npmcli/arborist"));',
        importStar: true,
    },
    {
        requiredBy: "runtime/closure/parseFunction.js",
        request: "../../typescript-shim",
        statement: 'const ts = require("../../typescript-shim");',
        importStar: false,
    },
    {
        requiredBy: "index.js",
        request: "./automation",
        statement: 'const automation = __importStar(require("./automation"));',
        importStar: true,
    },
    { requiredBy: "index.js", request: "./provider", statement: 'const provider = __importStar(require("./provider"));', importStar: true },
    ...["errors.js", "runtime/settings.js", "runtime/callbacks.js", "runtime/resource.js", "runtime/invoke.js"].map((requiredBy) => ({
        requiredBy,
        request: "@grpc/grpc-js",
        statement: 'const grpc = __importStar(require("@grpc/grpc-js"));',
        importStar: true,
    })),
    {
        requiredBy: "runtime/settings.js",
        request: "../proto/engine_grpc_pb",
        statement: 'const engrpc = __importStar(require("../proto/engine_grpc_pb"));',
        importStar: true,
    },
    {
        requiredBy: "runtime/settings.js",
        request: "../proto/resource_grpc_pb",
        statement: 'const resrpc = __importStar(require("../proto/resource_grpc_pb"));',
        importStar: true,
    },
    {
        requiredBy: "runtime/callbacks.js",
        request: "../proto/callback_grpc_pb",
        statement: 'const callrpc = __importStar(require("../proto/callback_grpc_pb"));',
        importStar: true,
    },
    // The closure serializer's reading of package.json files, when it collects a function's packages.
    {
        requiredBy: "runtime/closure/codePaths.js",
        request: "normalize-package-data",
        statement: 'const normalize_package_data_1 = __importDefault(require("normalize-package-data"));',
        // `__importDefault` wraps a module without `__esModule` in `{ default: module }`; the stand-in answers both alike.
        importStar: true,
    },
    // Tracing, which the SDK reads only in the interceptor of its gRPC clients.
    {
        requiredBy: "runtime/settings.js",
        request: "@opentelemetry/api",
        statement: 'const opentelemetry = __importStar(require("@opentelemetry/api"));',
        importStar: true,
    },
    // Only PolicyPack's constructor, serving the pack to the engine, reads it.
    {
        package: "@pulumi/policy",
        requiredBy: "policy.js",
        request: "./server",
        statement: 'const server_1 = require("./server");',
        importStar: false,
    },
];

/** Where each package is installed. */
const packageDirs = Object.fromEntries(
    Object.keys(packages).map((name) => [name, path.dirname(require.resolve(`${name}/package.json`))]),
) as Record<keyof typeof packages, string>;
const sdkDir = packageDirs["@pulumi/pulumi"];

/** The file of the package `m` names that requires its module. */
const requiringFile = (m: DeferredModule): string => path.join(packageDirs[m.package ?? "@pulumi/pulumi"], m.requiredBy);

/** How @pulumi/aws's index.js requires a service namespace (a directory beside it): `const s3 = __importStar(require("./s3"));`. */
const awsNamespaceStatement = /^const (\w+) = __importStar\(require\("\.\/\1"\)\);$/gm;

/** @pulumi/aws's service namespaces, as its index.js requires them (each the directory of that name). */
export function awsNamespaces(read: (file: string) => string | undefined = (file) => fs.readFileSync(file, "utf8")): DeferredModule[] {
    const dir = packageDirs["@pulumi/aws"];
    return [...(read(path.join(dir, "index.js")) ?? "").matchAll(awsNamespaceStatement)]
        .filter(([, name]) => fs.existsSync(path.join(dir, name, "index.js")))
        .map(([statement, name]) => ({
            package: "@pulumi/aws",
            requiredBy: "index.js",
            request: `./${name}`,
            statement,
            importStar: true,
        }));
}

/** What stops a stand-in from being placed, one line each; none when every SDK file reads as expected. */
export function deferrableProblems(read: (file: string) => string | undefined = (file) => fs.readFileSync(file, "utf8")): string[] {
    const version = (name: keyof typeof packages) =>
        (JSON.parse(fs.readFileSync(path.join(packageDirs[name], "package.json"), "utf8")) as { version: string }).version.replace(
            /^v/,
            "",
        );
    const texts = new Map<string, string>();
    const text = (file: string) => {
        if (!texts.has(file)) texts.set(file, read(file) ?? "");
        return texts.get(file)!;
    };
    const problems = deferredModules
        .filter((m) => !text(requiringFile(m)).includes(m.statement))
        .map((m) => {
            const name = m.package ?? "@pulumi/pulumi";
            return (
                `the offline plan does not support ${name} ${version(name)}: ${m.requiredBy} no longer has \`${m.statement}\`. ` +
                `automation/plan/sdk-deferred.ts was written for ${packages[name]}; adapt it to this version.`
            );
        });
    // The namespaces are read from the file itself: some must be there, written as this file expects.
    if (awsNamespaces(text).length === 0) {
        problems.push(
            `the offline plan does not support @pulumi/aws ${version("@pulumi/aws")}: index.js requires no service namespace as ` +
                `\`const s3 = __importStar(require("./s3"));\`. automation/plan/sdk-deferred.ts was written for ${packages["@pulumi/aws"]}; adapt it to this version.`,
        );
    }
    return problems;
}

/** A stand-in for the module `load` returns: every use of it loads the module and is answered by it. */
function standIn(load: () => Record<PropertyKey, unknown>, importStar: boolean): object {
    return new Proxy(
        {},
        {
            get: (_, key) => {
                if (importStar && key === "__esModule") return true;
                const real = load();
                return importStar && key === "default" && !real.__esModule ? real : real[key];
            },
            has: (_, key) => key in load(),
            ownKeys: () => Reflect.ownKeys(load()),
            getOwnPropertyDescriptor: (_, key) => {
                const d = Reflect.getOwnPropertyDescriptor(load(), key);
                // The stand-in's own target holds none of these, so each is reported as configurable (a proxy invariant).
                return d && { ...d, configurable: true };
            },
            set: (_, key, value) => Reflect.set(load(), key, value),
        },
    );
}

function install(): void {
    if (process.env.SALEOR_PLAN_EAGER_SDK === "1") return;
    // Once the SDK is loaded its files have required what they require: nothing to defer.
    if (require.cache[path.join(sdkDir, "index.js")]) return;
    const problems = deferrableProblems();
    if (problems.length > 0) throw new Error(problems.join("\n"));
    const Module = require("module") as { _load: (request: string, parent: NodeModule | undefined, isMain: boolean) => unknown };
    const original = Module._load;
    const deferred = new Map([...deferredModules, ...awsNamespaces()].map((m) => [`${requiringFile(m)}\0${m.request}`, m]));
    /** Modules being loaded right now (a module registers its resources while it loads). */
    let loading = 0;
    const load = (self: unknown, request: string, parent: NodeModule | undefined, isMain: boolean): unknown => {
        loading++;
        try {
            return original.call(self, request, parent, isMain);
        } finally {
            loading--;
        }
    };
    /** The AWS namespaces not loaded yet: each loads itself. */
    const awsPending = new Set<() => unknown>();
    Module._load = function (request, parent, isMain) {
        const m = parent && deferred.get(`${parent.filename}\0${request}`);
        if (!m) return load(this, request, parent, isMain);
        let real: Record<PropertyKey, unknown> | undefined;
        const loadReal = () => {
            if (!real) {
                awsPending.delete(loadReal);
                real = load(this, request, parent, isMain) as Record<PropertyKey, unknown>;
            }
            return real;
        };
        if (m.package === "@pulumi/aws") {
            // @pulumi/aws's index has loaded the SDK before its namespaces.
            if (awsPending.size === 0 && !awsLookupsFollowed) followAwsLookups(() => loading > 0, awsPending);
            awsPending.add(loadReal);
        }
        return standIn(loadReal, m.importStar);
    };
}

let awsLookupsFollowed = false;

/**
 * Makes a lookup of an AWS resource module find what it found when every namespace loaded with the
 * index: the SDK looks modules up in one map (runtime/state.js, getResourceModules), both when a
 * module registers its resources while it loads (a first registration finds nothing, and must) and
 * when it deserializes a reference to a resource. An AWS key not found outside of loading a module
 * loads every namespace not loaded yet, which registers theirs, and is looked up again.
 */
function followAwsLookups(whileLoading: () => boolean, pending: Set<() => unknown>): void {
    awsLookupsFollowed = true;
    const modules = (require("@pulumi/pulumi/runtime/state") as { getResourceModules(): Map<string, unknown> }).getResourceModules();
    const get = modules.get;
    modules.get = function (key: string) {
        const found = get.call(this, key);
        if (found !== undefined || whileLoading() || pending.size === 0 || !String(key).startsWith("aws:")) return found;
        for (const loadNamespace of [...pending]) loadNamespace();
        return get.call(this, key);
    };
}

install();
