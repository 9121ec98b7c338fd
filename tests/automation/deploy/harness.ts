import { strict as assert } from "node:assert";
import { healthy, RegionServer, type Behaviour } from "../../../automation/deploy/fakes/region-server";
import { FakeStack, type FakeScenario } from "../../../automation/deploy/fakes/stack";
import type { FetchLike } from "../../../automation/deploy/notify";
import { deploy, type DeployOptions } from "../../../automation/deploy/rollout";
import type { ReleaseConfig } from "../../../automation/deploy/stack";
import type { DeploySummary } from "../../../automation/deploy/summary";

// The driver end to end against the in-memory stack, with a real HTTP server on
// 127.0.0.1 standing in for each region's hosts. A region's server behaves according
// to the release the fake stack has deployed there, so a rollback really restores it.
// Shared by the driver's specs; each spec file closes the servers with `closeServers`.

export const PRIMARY = "eu-central-1";
export const SECONDARY = "eu-west-1";
export const OLD = "3.23.4";
export const NEW = "3.23.5";

export const FAST_VERIFY = { attempts: 3, timeoutMs: 250, backoffMs: 1, maxBackoffMs: 4 };

export interface Harness {
    stack: FakeStack;
    servers: Record<string, RegionServer>;
    lines: string[];
    run(options?: Partial<DeployOptions>, confirm?: (q: string) => Promise<boolean>): Promise<DeploySummary>;
    /** The clock the driver reads; its verification waits move it instead of waiting. */
    clock: { now: Date; slept: number[] };
    ups(): Record<string, string>[];
}

let servers: RegionServer[] = [];

/** `behaviourAt(region, release)` decides how a region's hosts answer once `release` runs there. */
export async function harness(
    options: {
        behaviourAt?: (region: string, release: string) => Behaviour;
        scenario?: Omit<FakeScenario, "onRelease">;
        stackName?: "staging" | "production";
        deployed?: boolean;
        config?: ReleaseConfig;
        /** Stands in for the global fetch the release notifications use. */
        fetch?: FetchLike;
        summaryLink?: string;
        /** Stands in for the SIGINT/SIGTERM handler's AbortController. */
        signal?: AbortSignal;
        cancelGraceMs?: number;
        /** What the clock reads when the run starts. Default: Wednesday 2026-12-02 03:00 in Berlin (02:00 UTC). */
        now?: Date;
        /** The Saleor version each deployed region exports. Default: none (older stacks' outputs). */
        saleorVersion?: string;
    } = {},
): Promise<Harness> {
    const behaviourAt = options.behaviourAt ?? (() => healthy);
    const byRegion: Record<string, RegionServer> = {
        [PRIMARY]: await RegionServer.start(),
        [SECONDARY]: await RegionServer.start(),
    };
    servers.push(...Object.values(byRegion));
    for (const [region, server] of Object.entries(byRegion)) {
        server.behaviour = behaviourAt(region, OLD);
    }
    const version = options.saleorVersion ? { saleorVersion: options.saleorVersion } : {};
    const regions = [
        { name: PRIMARY, role: "primary" as const, release: OLD, ...version, endpoints: byRegion[PRIMARY].endpoints() },
        { name: SECONDARY, role: "secondary" as const, release: OLD, ...version, endpoints: byRegion[SECONDARY].endpoints() },
    ];
    const stackName = options.stackName ?? "staging";
    const stack = new FakeStack(
        stackName,
        options.deployed === false ? regions.map((r) => ({ ...r, deployed: false })) : regions,
        {
            ...options.scenario,
            onRelease: (region, release) => {
                byRegion[region].behaviour = behaviourAt(region, release);
            },
        },
        options.config ?? { release: OLD },
    );
    const lines: string[] = [];
    const clock = { now: options.now ?? new Date("2026-12-02T02:00:00Z"), slept: [] as number[] };
    const sleep = async (ms: number) => {
        clock.slept.push(ms);
        clock.now = new Date(clock.now.getTime() + ms);
    };
    return {
        clock,
        stack,
        servers: byRegion,
        lines,
        run: (overrides = {}, confirm) =>
            deploy(
                {
                    stack: stackName,
                    release: NEW,
                    previewOnly: false,
                    yes: false,
                    allowReplace: false,
                    verify: FAST_VERIFY,
                    ...overrides,
                },
                {
                    openStack: async () => stack,
                    log: (line) => lines.push(line),
                    confirm,
                    now: () => clock.now,
                    sleep,
                    fetch: options.fetch,
                    summaryLink: options.summaryLink,
                    signal: options.signal,
                    cancelGraceMs: options.cancelGraceMs,
                },
            ),
        ups: () => stack.calls.flatMap((c) => (c.kind === "up" ? [c.releases] : [])),
    };
}

/** The JSON summary's shape, checked the way a consumer of the file would read it. */
export function assertSummaryShape(s: DeploySummary): void {
    const json = JSON.parse(JSON.stringify(s)) as DeploySummary;
    assert.equal(typeof json.stack, "string");
    assert.equal(json.release, NEW);
    assert.ok(["succeeded", "previewed", "blocked", "failed", "error"].includes(json.result));
    assert.equal(typeof json.message, "string");
    assert.ok(json.message.length > 0);
    assert.ok(!Number.isNaN(Date.parse(json.startedAt)) && !Number.isNaN(Date.parse(json.finishedAt)));
    assert.equal(typeof json.durationMs, "number");
    assert.equal(typeof json.options.previewOnly, "boolean");
    assert.ok(Array.isArray(json.regions));
    for (const r of json.regions) {
        assert.equal(typeof r.region, "string");
        assert.ok(r.role === "primary" || r.role === "secondary");
        assert.equal(r.newRelease, NEW);
        assert.equal(typeof r.status, "string");
        assert.equal(typeof r.durationMs, "number");
        if (r.preview) {
            assert.equal(typeof r.preview.changes, "object");
            assert.ok(Array.isArray(r.preview.policy.mandatory) && Array.isArray(r.preview.policy.advisory));
        }
        for (const c of r.verification?.checks ?? []) {
            assert.ok(["health", "graphql", "storefront"].includes(c.check));
            assert.equal(typeof c.attempts, "number");
        }
    }
}

export function region(s: DeploySummary, name: string) {
    const r = s.regions.find((x) => x.region === name);
    assert.ok(r, `no summary for ${name}`);
    return r;
}

export async function closeServers(): Promise<void> {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
}
