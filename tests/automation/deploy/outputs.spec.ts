import { strict as assert } from "node:assert";
import { OutputsError, parseDeployedStack } from "../../../automation/deploy/outputs";

function endpoints(host: string) {
    const api = `https://api.${host}.example.com/`;
    return {
        api,
        graphql: `${api}graphql/`,
        health: `${api}health/`,
        dashboard: `https://dashboard.${host}.example.com/`,
        storefronts: [`https://${host}.shop.example.com/`],
    };
}

describe("deploy: reading the stack outputs", () => {
    it("orders the primary first, then the secondaries as the program declared them", () => {
        const parsed = parseDeployedStack({
            environment: "production",
            primaryRegion: "eu-central-1",
            regions: {
                "eu-west-1": { role: "secondary", release: "3.23.4", endpoints: endpoints("nl") },
                "eu-central-1": { role: "primary", release: "3.23.4", endpoints: endpoints("de") },
                "eu-north-1": { role: "secondary", release: "3.23.3", endpoints: endpoints("se") },
            },
        });
        assert.deepEqual(
            parsed.regions.map((r) => [r.name, r.release]),
            [
                ["eu-central-1", "3.23.4"],
                ["eu-west-1", "3.23.4"],
                ["eu-north-1", "3.23.3"],
            ],
        );
        assert.equal(parsed.regions[0].endpoints.health, "https://api.de.example.com/health/");
    });

    it("a stack that was never deployed has no regions rather than an error", () => {
        assert.deepEqual(parseDeployedStack({}).regions, []);
    });

    it("names the output that breaks the contract", () => {
        assert.throws(
            () =>
                parseDeployedStack({
                    primaryRegion: "eu-central-1",
                    regions: { "eu-central-1": { role: "primary", release: "3.23.4", endpoints: { api: "x" } } },
                }),
            (e: unknown) =>
                e instanceof OutputsError && /regions\.eu-central-1\.endpoints\.graphql must be a non-empty string/.test(e.message),
        );
        assert.throws(
            () =>
                parseDeployedStack({
                    primaryRegion: "us-east-1",
                    regions: { "eu-central-1": { role: "primary", release: "3.23.4", endpoints: endpoints("de") } },
                }),
            /primaryRegion "us-east-1" is not one of the regions/,
        );
    });
});
