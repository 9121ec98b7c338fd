import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { deserializeProperties, serializeProperties } from "@pulumi/pulumi/runtime/rpc";
import { PlanMocks } from "../../automation/plan/mocks";

// The bootstrap through the engine's own door: the Node.js language host starts
// `node node_modules/@pulumi/pulumi/cmd/run/index.js --monitor <addr> --engine <addr> ... <main>`
// in the project directory with the config in PULUMI_CONFIG (shared/reference/pulumi-notes.md).
// Here a gRPC ResourceMonitor and Engine answer it in-process with the offline plan's mocks, so the
// spec proves what the mock runtime cannot: that `bootstrap/` runs as a program of its own (its
// Pulumi.yaml main, its tsconfig.json, module resolution to the repository's node_modules) and reads
// its `saleor-bootstrap` config as the engine hands it over.

const ROOT = path.resolve(__dirname, "..", "..");
const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const resourceGrpc = require(path.join(sdk, "proto", "resource_grpc_pb.js"));
const resourcePb = require(path.join(sdk, "proto", "resource_pb.js"));
const providerPb = require(path.join(sdk, "proto", "provider_pb.js"));
const enginePb = require(path.join(sdk, "proto", "engine_pb.js"));
const engineGrpc = require(path.join(sdk, "proto", "engine_grpc_pb.js"));
const { Empty } = require(require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [sdk] })) as { Empty: new () => unknown };
const { Struct } = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdk] })) as {
    Struct: { fromJavaScript(o: unknown): unknown };
};

interface Run {
    code: number | null;
    registered: { type: string; name: string; inputs: Record<string, any> }[];
    logs: { severity: number; message: string }[];
    stderr: string;
}

/** Runs `bootstrap/` as the language host would, against an in-process mock engine. */
async function runThroughEngine(config: Record<string, string>): Promise<Run> {
    const mocks = new PlanMocks();
    const registered: Run["registered"] = [];
    const logs: Run["logs"] = [];
    let root = "";
    const unary = (fn: (req: any) => Promise<unknown> | unknown) => (call: any, callback: any) => {
        Promise.resolve()
            .then(() => fn(call.request))
            .then(
                (r) => callback(null, r),
                (e) => callback(e, null),
            );
    };
    const server = new grpc.Server();
    server.addService(resourceGrpc.ResourceMonitorService, {
        supportsFeature: unary(() => {
            const response = new resourcePb.SupportsFeatureResponse();
            // The oldest wire format: no feature the program would need a real engine for.
            response.setHassupport(false);
            return response;
        }),
        registerResource: unary(async (req) => {
            const type: string = req.getType();
            const name: string = req.getName();
            const inputs = deserializeProperties(req.getObject());
            const provider: string = req.getProvider();
            const parent: string = req.getParent();
            const result = mocks.newResource({ type, name, inputs, provider, custom: req.getCustom(), id: req.getImportid() });
            const parentType = parent ? `${parent.split("::")[2].split("$").pop()}$` : "";
            const urn = `urn:pulumi:account::saleor-bootstrap::${parentType}${type}::${name}`;
            if (type.startsWith("pulumi:providers:")) mocks.rememberProvider(`${urn}::${result.id}`, inputs);
            registered.push({ type, name, inputs });
            const response = new resourcePb.RegisterResourceResponse();
            response.setUrn(urn);
            response.setId(result.id ?? "");
            response.setObject(Struct.fromJavaScript(await serializeProperties("", result.state)));
            return response;
        }),
        registerResourceOutputs: unary(() => new Empty()),
        invoke: unary(async (req) => {
            const result = mocks.call({ token: req.getTok(), inputs: deserializeProperties(req.getArgs()), provider: req.getProvider() });
            const response = new providerPb.InvokeResponse();
            response.setReturn(Struct.fromJavaScript(await serializeProperties("", result)));
            return response;
        }),
    });
    server.addService(engineGrpc.EngineService, {
        log: unary((req) => {
            logs.push({ severity: req.getSeverity(), message: req.getMessage() });
            return new Empty();
        }),
        getRootResource: unary(() => {
            const response = new enginePb.GetRootResourceResponse();
            response.setUrn(root);
            return response;
        }),
        setRootResource: unary((req) => {
            root = req.getUrn();
            return new enginePb.SetRootResourceResponse();
        }),
    });
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    const address = `127.0.0.1:${port}`;
    const project = path.join(ROOT, "bootstrap");
    try {
        const child = spawn(
            process.execPath,
            [
                path.join(sdk, "cmd", "run", "index.js"),
                "--monitor",
                address,
                "--engine",
                address,
                "--project",
                "saleor-bootstrap",
                "--stack",
                "account",
                "--organization",
                "organization",
                "--root-directory",
                project,
                "--pwd",
                project,
                "--dry-run",
                "--parallel",
                "8",
                // Pulumi.yaml's main.
                "index.ts",
            ],
            {
                cwd: project,
                env: {
                    ...process.env,
                    PULUMI_CONFIG: JSON.stringify(
                        Object.fromEntries(Object.entries(config).map(([k, v]) => [`saleor-bootstrap:config:${k}`, v])),
                    ),
                    PULUMI_CONFIG_SECRET_KEYS: "[]",
                    PULUMI_NODEJS_TYPESCRIPT: "true",
                    // mocha's own loader must not leak into the program's process.
                    NODE_OPTIONS: "",
                },
                stdio: ["ignore", "pipe", "pipe"],
            },
        );
        let stderr = "";
        child.stderr.on("data", (d) => (stderr += d));
        child.stdout.on("data", (d) => (stderr += d));
        const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
        return { code, registered, logs, stderr };
    } finally {
        server.forceShutdown();
    }
}

/** What the program told the user: its stderr and the engine log's warnings and errors (not the SDK's debug lines). */
const said = (run: Run) =>
    [
        ...run.stderr.split("\n").filter((l) => !/RPC (prepared|finished)/.test(l)),
        ...run.logs.filter((l) => l.severity > 1).map((l) => l.message),
    ].join("\n");

describe("bootstrap through the engine's language-host entry point", function () {
    // ts-node compiles the program (and type-checks it) in a fresh process.
    this.timeout(120_000);

    it("runs from bootstrap/ with its own main and tsconfig, reading the saleor-bootstrap namespace", async () => {
        const run = await runThroughEngine({ githubRepository: "octo-org/saleor-pulumi", environments: '["staging"]' });
        assert.equal(run.code, 0, said(run));
        const projects = run.registered.filter((r) => r.type === "aws:codebuild/project:Project").map((r) => r.inputs.name);
        assert.deepEqual(projects, ["saleor-deploy-staging"]);
        assert.ok(run.registered.some((r) => r.type === "aws:ecr/replicationConfiguration:ReplicationConfiguration"));
        assert.ok(!run.registered.some((r) => r.type === "aws:eks/cluster:Cluster"), "not the main program");
    });

    it("fails before registering anything when the config is invalid, naming the key", async () => {
        const run = await runThroughEngine({
            githubRepository: "octo-org/saleor-pulumi",
            runner: JSON.stringify({ vpcCidr: "10.10.0.0/24" }),
        });
        assert.notEqual(run.code, 0);
        assert.match(said(run), /saleor-bootstrap:runner\.vpcCidr: 10\.10\.0\.0\/24 overlaps the stack VPC 10\.10\.0\.0\/16/);
        assert.deepEqual(
            run.registered.filter((r) => r.type.startsWith("aws:")),
            [],
        );
    });
});
