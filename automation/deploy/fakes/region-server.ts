import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { RegionEndpoints } from "../outputs";

// A real HTTP server on 127.0.0.1 (ephemeral port) standing in for one region's hosts:
// Core's /health/ and /graphql/, a storefront and the dashboard. Tests script its answers
// per check and per attempt, so verification runs over real sockets, timeouts included.

export type Check = "health" | "graphql" | "storefront" | "dashboard";

/** "hang" accepts the request and never answers. */
export type Reply = "hang" | { status: number; json?: unknown; location?: string; delayMs?: number };

/** `attempt` counts requests to this check, from 1. */
export type Behaviour = (check: Check, attempt: number) => Reply;

const SHOP_NAME = "Saleor Demo Store";

export const healthy: Behaviour = (check) => {
    switch (check) {
        case "health":
            return { status: 200, json: { status: "ok" } };
        case "graphql":
            return { status: 200, json: { data: { shop: { name: SHOP_NAME } } } };
        case "storefront":
            // The storefront redirects / to its default channel; a redirect is a valid answer.
            return { status: 307, location: "/storefront/default-channel" };
        case "dashboard":
            return { status: 200 };
    }
};

/** Healthy except for `check`, which answers with `reply` every time. */
export function breaks(check: Check, reply: Reply): Behaviour {
    return (c, attempt) => (c === check ? reply : healthy(c, attempt));
}

const EXPECTED_QUERY = "{ shop { name } }";

export class RegionServer {
    behaviour: Behaviour = healthy;
    readonly hits: Record<Check, number> = { health: 0, graphql: 0, storefront: 0, dashboard: 0 };
    private readonly timers = new Set<NodeJS.Timeout>();

    private constructor(private readonly server: http.Server) {}

    static async start(): Promise<RegionServer> {
        const server = http.createServer();
        const region = new RegionServer(server);
        server.on("request", (req, res) => region.handle(req, res));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        return region;
    }

    get base(): string {
        const { port } = this.server.address() as AddressInfo;
        return `http://127.0.0.1:${port}/`;
    }

    endpoints(): RegionEndpoints {
        return {
            api: this.base,
            graphql: `${this.base}graphql/`,
            health: `${this.base}health/`,
            dashboard: `${this.base}dashboard/`,
            storefronts: [`${this.base}storefront/`],
        };
    }

    async close(): Promise<void> {
        for (const t of this.timers) {
            clearTimeout(t);
        }
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }

    private check(path: string): Check | undefined {
        if (path === "/health/") return "health";
        if (path === "/graphql/") return "graphql";
        if (path.startsWith("/storefront/")) return "storefront";
        if (path.startsWith("/dashboard/")) return "dashboard";
        return undefined;
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const check = this.check(new URL(req.url ?? "/", this.base).pathname);
            if (!check) {
                res.writeHead(404).end();
                return;
            }
            // Only a real GraphQL POST of the shop query gets the scripted answer.
            if (check === "graphql" && !this.isShopQuery(req, Buffer.concat(chunks).toString())) {
                res.writeHead(400, { "content-type": "application/json" });
                res.end(JSON.stringify({ errors: [{ message: "expected a POST of { shop { name } }" }] }));
                return;
            }
            const reply = this.behaviour(check, ++this.hits[check]);
            if (reply === "hang") {
                return;
            }
            const send = () => {
                const headers: http.OutgoingHttpHeaders = reply.location ? { location: reply.location } : {};
                if (reply.json !== undefined) {
                    headers["content-type"] = "application/json";
                }
                res.writeHead(reply.status, headers);
                res.end(reply.json === undefined ? undefined : JSON.stringify(reply.json));
            };
            if (reply.delayMs) {
                const t = setTimeout(() => {
                    this.timers.delete(t);
                    if (!res.destroyed) send();
                }, reply.delayMs);
                this.timers.add(t);
            } else {
                send();
            }
        });
    }

    private isShopQuery(req: http.IncomingMessage, body: string): boolean {
        if (req.method !== "POST" || !String(req.headers["content-type"]).startsWith("application/json")) {
            return false;
        }
        try {
            return (JSON.parse(body) as { query?: unknown }).query === EXPECTED_QUERY;
        } catch {
            return false;
        }
    }
}
