import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as path from "path";
import { deferredModules, deferrableProblems } from "../../automation/plan/sdk-deferred";

const root = path.join(__dirname, "..", "..");
const register = path.join(root, "automation", "register.js");
const loaded = path.join(root, "tests", "support", "loaded-modules.js");

/** `npm run plan` in a process of its own: its JSON (without the run's duration) and the modules it loaded. */
function plan(stack: string, env: Record<string, string> = {}): { doc: Record<string, unknown>; modules: string[] } {
    const run = spawnSync(process.execPath, ["-r", loaded, "-r", register, "automation/plan-cli.ts", "--stack", stack, "--json"], {
        cwd: root,
        env: { ...process.env, ...env },
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(run.status, 0, run.stderr);
    const doc = JSON.parse(run.stdout) as Record<string, unknown>;
    delete doc.duration;
    const line = run.stderr.split("\n").find((l) => l.startsWith("LOADED "));
    assert.ok(line, "the process did not report what it loaded");
    return { doc, modules: JSON.parse(line.slice("LOADED ".length)) as string[] };
}

const sdkFile = (relative: string) => path.join(root, "node_modules", "@pulumi", "pulumi", relative);
const awsFile = (relative: string) => path.join(root, "node_modules", "@pulumi", "aws", relative);

describe("the SDK modules an offline plan never uses", function () {
    this.timeout(120_000);

    it("are not loaded by a plan: the closure serializer's npm tree and TypeScript, the Automation API, the provider server, gRPC, tracing, unused AWS services", () => {
        const { modules } = plan("production");
        const has = (file: string) => modules.includes(file);
        assert.ok(has(sdkFile("index.js")), "the plan did not load the SDK at all");
        assert.ok(!has(sdkFile("automation/index.js")), "the Automation API was loaded");
        assert.ok(!has(sdkFile("provider/index.js")), "the provider server was loaded");
        assert.ok(!modules.some((m) => m.includes("/node_modules/@npmcli/arborist/")), "@npmcli/arborist was loaded");
        assert.ok(!modules.some((m) => m.endsWith("/node_modules/typescript/lib/typescript.js")), "TypeScript was loaded");
        assert.ok(!modules.some((m) => m.includes("/node_modules/normalize-package-data/")), "normalize-package-data was loaded");
        assert.ok(!modules.some((m) => m.includes("/node_modules/@opentelemetry/api/")), "@opentelemetry/api was loaded");
        // The AWS services the program uses load when it first reads them; the others not at all.
        assert.ok(has(awsFile("index.js")) && has(awsFile("rds/index.js")), "the plan did not load @pulumi/aws and its rds service");
        assert.ok(!has(awsFile("accessanalyzer/index.js")), "an AWS service the program never uses (accessanalyzer) was loaded");
        // The engine's transport: the plan's monitor is in process, and the policy pack runs without its analyzer server.
        assert.ok(has(path.join(root, "node_modules", "@pulumi", "policy", "policy.js")), "the plan did not run the policy pack");
        assert.ok(!modules.some((m) => m.includes("/node_modules/@grpc/grpc-js/")), "@grpc/grpc-js was loaded");
        assert.ok(!has(path.join(root, "node_modules", "@pulumi", "policy", "server.js")), "the policy pack's analyzer server was loaded");
    });

    it("leave every stack's plan exactly as it is when they are loaded up front", () => {
        for (const stack of ["dev", "production"]) {
            const deferred = plan(stack);
            const eager = plan(stack, { SALEOR_PLAN_EAGER_SDK: "1" });
            assert.ok(
                eager.modules.some((m) => m.includes("/node_modules/@npmcli/arborist/")),
                "SALEOR_PLAN_EAGER_SDK=1 still deferred",
            );
            assert.deepEqual(deferred.doc, eager.doc, stack);
        }
    });

    it("load on first use, as the real module with all its exports", () => {
        const script = [
            `require(${JSON.stringify(path.join(root, "automation", "plan", "sdk-deferred.ts"))});`,
            `const pulumi = require("@pulumi/pulumi");`,
            // Before anything reaches for the Automation API, which loads gRPC itself.
            `const grpcBefore = Object.keys(require.cache).some((k) => k.includes("/node_modules/@grpc/grpc-js/"));`,
            `const before = Object.keys(require.cache).includes(${JSON.stringify(sdkFile("automation/index.js"))});`,
            `const ok = typeof pulumi.automation.LocalWorkspace === "function" && Object.keys(pulumi.automation).includes("LocalWorkspace") && "Stack" in pulumi.automation;`,
            `const after = Object.keys(require.cache).includes(${JSON.stringify(sdkFile("automation/index.js"))});`,
            `const ts = require(${JSON.stringify(sdkFile("runtime/closure/parseFunction.js"))});`,
            // An engine's error as the SDK tells it apart: its gRPC status, read from the real module.
            `const unavailable = require("@pulumi/pulumi/errors").isGrpcError({ code: 14 });`,
            `const policyServer = typeof require("@pulumi/policy/policy.js").PolicyPack === "function";`,
            // An AWS service: loaded when read, and found (with all others) when the SDK looks up a resource module.
            `const aws = require("@pulumi/aws");`,
            `const loadedAws = (service) => Object.keys(require.cache).includes(require("path").join(${JSON.stringify(awsFile(""))}, service, "index.js"));`,
            `const awsBefore = loadedAws("accessanalyzer") || loadedAws("acm");`,
            `const awsClass = aws.accessanalyzer.Analyzer.__pulumiType === "aws:accessanalyzer/analyzer:Analyzer" && loadedAws("accessanalyzer") && !loadedAws("acm");`,
            `const awsLookup = typeof require("@pulumi/pulumi/runtime/rpc").getResourceModule("aws", "acm/certificate")?.construct === "function" && loadedAws("acm");`,
            `console.log(JSON.stringify({ before, ok, after, parses: typeof ts.parseFunction === "function" && ts.parseFunction("function f(a) { return a; }")[0] === "", grpcBefore, unavailable, policyServer, awsBefore, awsClass, awsLookup }));`,
        ].join("\n");
        const run = spawnSync(process.execPath, ["-r", register, "-e", script], { cwd: root, encoding: "utf8" });
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(JSON.parse(run.stdout), {
            before: false,
            ok: true,
            after: true,
            parses: true,
            grpcBefore: false,
            unavailable: true,
            policyServer: true,
            awsBefore: false,
            awsClass: true,
            awsLookup: true,
        });
    });

    it("are deferred only where the SDK requires them as this file expects, and an SDK of another shape is named", () => {
        assert.deepEqual(deferrableProblems(), []);
        const problems = deferrableProblems((file) =>
            file.endsWith("index.js") ? "const automation = require('./automation');" : undefined,
        );
        // Every statement, and @pulumi/aws's index without a service namespace as it expects them.
        assert.equal(problems.length, deferredModules.length + 1);
        assert.match(problems[0], /@pulumi\/pulumi \d+\.\d+\.\d+/);
        assert.match(problems[problems.length - 1], /@pulumi\/aws \d+\.\d+\.\d+: index\.js requires no service namespace/);
    });
});
