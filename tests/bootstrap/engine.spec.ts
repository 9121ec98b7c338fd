import { strict as assert } from "node:assert";
import * as path from "node:path";
import { runThroughEngine, said } from "../support/engine";

// The bootstrap through the engine's own door: the Node.js language host starts
// `node node_modules/@pulumi/pulumi/cmd/run/index.js --monitor <addr> --engine <addr> ... <main>`
// in the project directory with the config in PULUMI_CONFIG (shared/reference/pulumi-notes.md).
// Here a gRPC ResourceMonitor and Engine answer it in-process with the offline plan's mocks, so the
// spec proves what the mock runtime cannot: that `bootstrap/` runs as a program of its own (its
// Pulumi.yaml main, its tsconfig.json, module resolution to the repository's node_modules) and reads
// its `saleor-bootstrap` config as the engine hands it over.

const ROOT = path.resolve(__dirname, "..", "..");

/** Runs `bootstrap/` as the language host would, against an in-process mock engine (tests/support/engine.ts). */
const runBootstrap = (config: Record<string, string>) =>
    runThroughEngine({
        projectDir: path.join(ROOT, "bootstrap"),
        project: "saleor-bootstrap",
        stack: "account",
        config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`saleor-bootstrap:${k}`, v])),
        // Pulumi.yaml's main.
        entryPoint: "index.ts",
        // The oldest wire format: no feature the program would need a real engine for.
        supportsFeature: () => false,
        // A failing program's error report can stall some 20 s on Node 20.20 (shared/reference/pulumi-notes.md).
        timeoutMs: 90_000,
    });

describe("bootstrap through the engine's language-host entry point", function () {
    // ts-node compiles the program (and type-checks it) in a fresh process.
    this.timeout(120_000);

    it("runs from bootstrap/ with its own main and tsconfig, reading the saleor-bootstrap namespace", async () => {
        const run = await runBootstrap({ githubRepository: "octo-org/saleor-pulumi", environments: '["staging"]' });
        assert.equal(run.code, 0, said(run));
        const projects = run.registrations.filter((r) => r.type === "aws:codebuild/project:Project").map((r) => r.inputs.name);
        assert.deepEqual(projects, ["saleor-deploy-staging"]);
        assert.ok(run.registrations.some((r) => r.type === "aws:ecr/replicationConfiguration:ReplicationConfiguration"));
        assert.ok(!run.registrations.some((r) => r.type === "aws:eks/cluster:Cluster"), "not the main program");
    });

    it("fails before registering anything when the config is invalid, naming the key", async () => {
        const run = await runBootstrap({
            githubRepository: "octo-org/saleor-pulumi",
            runner: JSON.stringify({ vpcCidr: "10.10.0.0/24" }),
        });
        assert.notEqual(run.code, 0);
        assert.match(said(run), /saleor-bootstrap:runner\.vpcCidr: 10\.10\.0\.0\/24 overlaps the stack VPC 10\.10\.0\.0\/16/);
        assert.deepEqual(
            run.registrations.filter((r) => r.type.startsWith("aws:")),
            [],
        );
    });
});
