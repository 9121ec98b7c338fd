import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";

// The storefront's build generates its GraphQL code from the live API and prerenders pages through
// it; on a new stack the API's load balancer may still be provisioning when the build starts. The
// Dockerfile's wait step is run here as Docker would run it: the same script, the same environment.

const dockerfile = fs.readFileSync(path.join(__dirname, "..", "..", "images", "storefront", "Dockerfile"), "utf8");

/** Dockerfile instructions with line continuations joined, comments dropped. */
function instructions(text: string): string[] {
    const out: string[] = [];
    let current = "";
    for (const line of text.split("\n")) {
        if (current === "" && (line.trim() === "" || line.trimStart().startsWith("#"))) continue;
        if (line.endsWith("\\")) {
            current += line.slice(0, -1);
            continue;
        }
        out.push(current + line);
        current = "";
    }
    return out;
}

/** The script of the builder stage's `RUN node -e '…'` that waits for the API. */
function waitScript(): string {
    const run = instructions(dockerfile).find((i) => /^RUN node -e '/.test(i));
    assert.ok(run, "the Dockerfile has a RUN node -e step");
    return run.slice(run.indexOf("'") + 1, run.lastIndexOf("'"));
}

function runWait(url: string, env: Record<string, string>): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, ["-e", waitScript()], {
            env: { PATH: process.env.PATH ?? "", NEXT_PUBLIC_SALEOR_API_URL: url, ...env },
        });
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (out += d));
        child.on("close", (code) => resolve({ code, out }));
    });
}

/** An API that answers 503 `failures` times (a load balancer with no healthy target yet), then GraphQL. */
async function api(failures: number): Promise<{ url: string; requests: () => number; close: () => void }> {
    let requests = 0;
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (d) => (body += d));
        req.on("end", () => {
            requests++;
            if (requests <= failures) {
                res.writeHead(503).end();
                return;
            }
            assert.equal(req.method, "POST");
            assert.equal(JSON.parse(body).query, "{ __typename }");
            res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: { __typename: "Query" } }));
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/graphql/`, requests: () => requests, close: () => server.close() };
}

describe("the storefront image's build waits for its API", () => {
    it("declares its wait before `pnpm build`, in the builder stage", () => {
        const steps = instructions(dockerfile);
        const wait = steps.findIndex((i) => /^RUN node -e '/.test(i));
        const build = steps.findIndex((i) => /pnpm build/.test(i));
        const runner = steps.findIndex((i) => /^FROM base AS runner/.test(i));
        assert.ok(wait >= 0 && wait < build && build < runner, "wait, then build, both before the runner stage");
    });

    it("tries again while the load balancer answers 503, and builds once the API answers a query", async () => {
        const server = await api(2);
        try {
            const { code, out } = await runWait(server.url, { API_WAIT_SECONDS: "30", API_WAIT_INTERVAL_SECONDS: "0.05" });
            assert.equal(code, 0, out);
            assert.equal(server.requests(), 3);
            assert.match(out, /answered HTTP 503; trying again/);
            assert.match(out, /the API answers at http:\/\/127\.0\.0\.1/);
        } finally {
            server.close();
        }
    });

    it("tries again while the API host does not resolve or refuses connections", async () => {
        // A closed port: refused at once, like an address with nothing listening yet.
        const server = await api(0);
        const url = server.url;
        server.close();
        const { code, out } = await runWait(url, { API_WAIT_SECONDS: "0.2", API_WAIT_INTERVAL_SECONDS: "0.05" });
        assert.equal(code, 1, out);
        assert.match(out, /is not reachable \(ECONNREFUSED\); trying again/);
    });

    it("gives up after API_WAIT_SECONDS with the URL and the last answer, so the build fails and says why", async () => {
        const server = await api(1_000_000);
        try {
            const { code, out } = await runWait(server.url, { API_WAIT_SECONDS: "0.3", API_WAIT_INTERVAL_SECONDS: "0.05" });
            assert.equal(code, 1);
            assert.match(
                out,
                /the API at http:\/\/127\.0\.0\.1:\d+\/graphql\/ answered HTTP 503; gave up after 0\.3 s \(API_WAIT_SECONDS\)/,
            );
        } finally {
            server.close();
        }
    });
});
