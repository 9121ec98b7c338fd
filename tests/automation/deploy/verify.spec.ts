import { strict as assert } from "node:assert";
import { breaks, healthy, RegionServer } from "../../../automation/deploy/fakes/region-server";
import { backoffDelay, verifyRegion, type VerifyOptions } from "../../../automation/deploy/verify";

// Verification over real sockets to 127.0.0.1. Assertions are on attempt counts and on
// the run ending, never on wall-clock thresholds.

const OPTIONS: VerifyOptions = { attempts: 3, timeoutMs: 150, backoffMs: 1, maxBackoffMs: 4 };

describe("deploy verification", () => {
    let server: RegionServer;
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);

    beforeEach(async () => {
        server = await RegionServer.start();
        lines.length = 0;
    });
    afterEach(() => server.close());

    it("a healthy region passes health, a real GraphQL shop query and every storefront, one attempt each", async () => {
        const result = await verifyRegion(server.endpoints(), OPTIONS, log, "de");
        assert.equal(result.ok, true);
        assert.deepEqual(
            result.checks.map((c) => [c.check, c.status, c.attempts]),
            [
                ["health", 200, 1],
                ["graphql", 200, 1],
                ["storefront", 307, 1],
            ],
        );
        // The fake answers 400 to anything but a JSON POST of { shop { name } }.
        assert.equal(server.hits.graphql, 1);
        assert.ok(lines.some((l) => l.includes(`✓ graphql ${server.base}graphql/ → 200`)));
    });

    it("a hanging health endpoint is cut off by the per-request timeout and given up after the configured attempts", async () => {
        server.behaviour = breaks("health", "hang");
        const result = await verifyRegion(server.endpoints(), OPTIONS, log, "de");
        assert.equal(result.ok, false);
        const health = result.checks[0];
        assert.equal(health.attempts, OPTIONS.attempts);
        assert.equal(server.hits.health, OPTIONS.attempts);
        assert.equal(health.status, undefined);
        assert.equal(health.error, `no answer within ${OPTIONS.timeoutMs} ms`);
        // Nothing else is probed once the region is known to be bad.
        assert.equal(server.hits.graphql, 0);
        assert.deepEqual(
            result.checks.slice(1).map((c) => c.skipped),
            [true, true],
        );
    });

    it("a slow endpoint that answers in time on a later attempt passes, with the attempts it took", async () => {
        server.behaviour = (check, attempt) =>
            check === "health" && attempt <= 2 ? { status: 200, delayMs: 1_000 } : healthy(check, attempt);
        const result = await verifyRegion(server.endpoints(), OPTIONS, log, "de");
        assert.equal(result.ok, true);
        assert.equal(result.checks[0].attempts, 3);
        assert.equal(server.hits.health, 3);
        assert.equal(lines.filter((l) => l.includes("retrying in")).length, 2);
    });

    it("a 503 from /health/ is retried with backoff and reported with its status", async () => {
        server.behaviour = breaks("health", { status: 503 });
        const result = await verifyRegion(server.endpoints(), { ...OPTIONS, attempts: 4 }, log, "de");
        assert.equal(result.ok, false);
        assert.deepEqual([result.checks[0].status, result.checks[0].attempts, result.checks[0].error], [503, 4, "HTTP 503"]);
        assert.equal(server.hits.health, 4);
    });

    it("GraphQL must answer data.shop.name as a string; a GraphQL error is reported by its message", async () => {
        server.behaviour = breaks("graphql", { status: 200, json: { data: null, errors: [{ message: "database is locked" }] } });
        let result = await verifyRegion(server.endpoints(), OPTIONS, log, "de");
        assert.equal(result.checks[1].ok, false);
        assert.equal(result.checks[1].error, "GraphQL error: database is locked");

        server.behaviour = breaks("graphql", { status: 200, json: { data: { shop: { name: null } } } });
        result = await verifyRegion(server.endpoints(), OPTIONS, log, "de");
        assert.equal(result.checks[1].error, "data.shop.name is not a string");
    });

    it("storefront redirects are answers, server errors are not", async () => {
        server.behaviour = breaks("storefront", { status: 302, location: "https://elsewhere.example/" });
        assert.equal((await verifyRegion(server.endpoints(), OPTIONS, log, "de")).ok, true);

        server.behaviour = breaks("storefront", { status: 502 });
        const result = await verifyRegion(server.endpoints(), OPTIONS, log, "de");
        assert.equal(result.ok, false);
        assert.equal(result.checks[2].error, "HTTP 502");
    });

    it("an unreachable host fails with the connection error after the configured attempts", async () => {
        const endpoints = server.endpoints();
        await server.close();
        const result = await verifyRegion(endpoints, OPTIONS, log, "de");
        assert.equal(result.ok, false);
        assert.equal(result.checks[0].attempts, OPTIONS.attempts);
        assert.match(result.checks[0].error ?? "", /ECONNREFUSED/);
        server = await RegionServer.start();
    });

    it("backoff doubles after each failed attempt and is capped", () => {
        const o = { attempts: 10, timeoutMs: 1, backoffMs: 3_000, maxBackoffMs: 30_000 };
        assert.deepEqual(
            [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(o, n)),
            [3_000, 6_000, 12_000, 24_000, 30_000, 30_000],
        );
    });
});
