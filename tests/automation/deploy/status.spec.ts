import { strict as assert } from "node:assert";
import { parseDeployArgs } from "../../../automation/deploy/args";
import { FakeStack } from "../../../automation/deploy/fakes/stack";
import { renderStatus, stackStatus } from "../../../automation/deploy/status";

// `--status`: what runs where, from the stack outputs, changing nothing.

const endpoints = (host: string) => ({
    api: `https://api.${host}/`,
    graphql: `https://api.${host}/graphql/`,
    health: `https://api.${host}/health/`,
    dashboard: `https://dashboard.${host}/`,
    storefronts: [`https://${host}/`],
});

describe("deploy --status", () => {
    it("prints each region's release and Saleor version, primary first, and changes nothing", async () => {
        const stack = new FakeStack("production", [
            { name: "eu-central-1", role: "primary", release: "3.23.5", saleorVersion: "3.23.5", endpoints: endpoints("de.example.com") },
            { name: "eu-west-1", role: "secondary", release: "a1b2c3d", saleorVersion: "3.23.4", endpoints: endpoints("nl.example.com") },
        ]);
        const text = await stackStatus(stack);
        assert.match(
            text,
            /^Stack production \(production\):\n {2}eu-central-1 \(primary\)\n {4}release {9}3\.23\.5\n {4}Saleor version {2}3\.23\.5/,
        );
        assert.match(text, /eu-west-1 \(secondary\)\n {4}release {9}a1b2c3d\n {4}Saleor version {2}3\.23\.4/);
        assert.match(text, /API {13}https:\/\/api\.nl\.example\.com\//);
        assert.deepEqual(stack.calls, [], "no preview, update or config change");
    });

    it("prints the image references a region exports, and says when a stack has no outputs yet", () => {
        const text = renderStatus("staging", {
            environment: "staging",
            primaryRegion: "eu-central-1",
            regions: {
                "eu-central-1": {
                    role: "primary",
                    release: "3.23.5",
                    endpoints: endpoints("de.staging.example.com"),
                    images: { core: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/saleor-core:3.23.5-4f2a" },
                    clusterFlavour: "aws",
                    clusterName: "saleor-staging-eu-central-1",
                    namespace: "saleor",
                },
            },
        });
        assert.match(text, /image core {6}123456789012\.dkr\.ecr\.eu-central-1\.amazonaws\.com\/saleor-core:3\.23\.5-4f2a/);
        assert.match(text, /Saleor version {2}\(not exported by this stack's outputs\)/);
        assert.match(text, /runs on {9}aws \/ saleor-staging-eu-central-1 \/ saleor/);
        assert.equal(renderStatus("staging", {}), "Stack staging has no deployed regions (no stack outputs yet).");
    });

    it("--status needs only the stack", () => {
        const parsed = parseDeployArgs(["--status", "--stack", "staging"]);
        assert.deepEqual(parsed, { kind: "status", stack: "staging" });
        const bad = parseDeployArgs(["--status"]);
        assert.equal(bad.kind, "problems");
    });
});
