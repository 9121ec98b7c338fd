import type { RegionEndpoints } from "./outputs";

// Post-rollout smoke checks for one region, in the order of the runbooks: Core's
// `/health/` (it answers from the ASGI layer, so it only says the pods serve), then a
// real GraphQL query (it needs Django, the database and the migrations), then every
// storefront. Every request has its own timeout and every check a bounded number of
// attempts, so a hanging endpoint cannot stall the pipeline.

export interface VerifyOptions {
    /** Attempts per check, including the first. */
    attempts: number;
    /** Per request, body included. */
    timeoutMs: number;
    /** Wait before the 2nd attempt; doubles after each further failure. */
    backoffMs: number;
    maxBackoffMs: number;
}

// Timeout as in the runbooks' container health check (10 s). The budget is the one
// saleor:releaseVerification defaults to (config/schema.ts): 13 attempts 10 s apart keep retrying
// for two minutes, so a network blip of a minute and a half does not roll back a healthy release.
export const DEFAULT_VERIFY_OPTIONS: VerifyOptions = {
    attempts: 13,
    timeoutMs: 10_000,
    backoffMs: 10_000,
    maxBackoffMs: 10_000,
};

export type CheckName = "health" | "graphql" | "storefront";

export interface CheckResult {
    check: CheckName;
    url: string;
    ok: boolean;
    /** Not probed because an earlier check of the region failed. */
    skipped?: boolean;
    attempts: number;
    status?: number;
    /** Why the last attempt failed, or why the check was skipped. */
    error?: string;
    durationMs: number;
}

export interface RegionVerification {
    ok: boolean;
    checks: CheckResult[];
}

interface Probe {
    check: CheckName;
    url: string;
    /** The response's status, and what is wrong with it (undefined when it passes). */
    run(signal: AbortSignal): Promise<{ status: number; problem?: string }>;
}

const SHOP_QUERY = JSON.stringify({ query: "{ shop { name } }" });

function probes(endpoints: RegionEndpoints): Probe[] {
    return [
        {
            check: "health",
            url: endpoints.health,
            async run(signal) {
                const res = await fetch(endpoints.health, { signal, redirect: "manual" });
                await res.arrayBuffer();
                return { status: res.status, problem: res.status === 200 ? undefined : `HTTP ${res.status}` };
            },
        },
        {
            check: "graphql",
            url: endpoints.graphql,
            async run(signal) {
                const res = await fetch(endpoints.graphql, {
                    method: "POST",
                    headers: { "content-type": "application/json", accept: "application/json" },
                    body: SHOP_QUERY,
                    signal,
                    redirect: "manual",
                });
                const text = await res.text();
                if (res.status !== 200) {
                    return { status: res.status, problem: `HTTP ${res.status}` };
                }
                return { status: res.status, problem: shopNameProblem(text) };
            },
        },
        ...endpoints.storefronts.map((url): Probe => ({
            check: "storefront",
            url,
            async run(signal) {
                // Redirects are answers (locale and channel redirects are normal), and
                // not following them keeps the check on the host under test.
                const res = await fetch(url, { signal, redirect: "manual" });
                await res.arrayBuffer();
                const ok = res.status >= 200 && res.status < 400;
                return { status: res.status, problem: ok ? undefined : `HTTP ${res.status}` };
            },
        })),
    ];
}

function shopNameProblem(body: string): string | undefined {
    let parsed: unknown;
    try {
        parsed = JSON.parse(body);
    } catch {
        return "response is not JSON";
    }
    const data = (parsed as { data?: { shop?: { name?: unknown } } } | null)?.data;
    if (typeof data?.shop?.name === "string") {
        return undefined;
    }
    const errors = (parsed as { errors?: { message?: unknown }[] } | null)?.errors;
    const first = Array.isArray(errors) ? errors[0]?.message : undefined;
    return typeof first === "string" ? `GraphQL error: ${first}` : "data.shop.name is not a string";
}

function failureReason(error: unknown, timeoutMs: number): string {
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
        return `no answer within ${timeoutMs} ms`;
    }
    if (error instanceof Error) {
        const cause = (error as Error & { cause?: unknown }).cause;
        const code = cause instanceof Error ? ((cause as Error & { code?: string }).code ?? cause.message) : undefined;
        return code ? `${error.message} (${code})` : error.message;
    }
    return String(error);
}

/** Waits `ms`, or less when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener("abort", done, { once: true });
    });

/** What a verification can be interrupted by, and the clock it waits on (tests pass their own). */
export interface VerifyContext {
    signal?: AbortSignal;
    sleep?: Sleep;
}

export function backoffDelay(options: VerifyOptions, failedAttempts: number): number {
    return Math.min(options.backoffMs * 2 ** (failedAttempts - 1), options.maxBackoffMs);
}

async function runProbe(
    probe: Probe,
    options: VerifyOptions,
    log: (line: string) => void,
    label: string,
    { signal, sleep: wait = sleep }: VerifyContext,
): Promise<CheckResult> {
    const started = Date.now();
    let status: number | undefined;
    let error = "not attempted";
    let attempts = 0;
    for (let attempt = 1; attempt <= options.attempts && !signal?.aborted; attempt++) {
        attempts = attempt;
        try {
            const timeout = AbortSignal.timeout(options.timeoutMs);
            const answer = await probe.run(signal ? AbortSignal.any([timeout, signal]) : timeout);
            status = answer.status;
            if (answer.problem === undefined) {
                log(`  [${label}] ✓ ${probe.check} ${probe.url} → ${answer.status} (attempt ${attempt}/${options.attempts})`);
                return { check: probe.check, url: probe.url, ok: true, attempts: attempt, status, durationMs: Date.now() - started };
            }
            error = answer.problem;
        } catch (e) {
            status = undefined;
            error = failureReason(e, options.timeoutMs);
        }
        if (attempt < options.attempts) {
            const delay = backoffDelay(options, attempt);
            log(`  [${label}] … ${probe.check} ${probe.url}: ${error} (attempt ${attempt}/${options.attempts}, retrying in ${delay} ms)`);
            await wait(delay, signal);
        }
    }
    if (signal?.aborted) {
        error = "cancelled";
    }
    log(`  [${label}] ✗ ${probe.check} ${probe.url}: ${error} (gave up after ${attempts} attempts)`);
    return { check: probe.check, url: probe.url, ok: false, attempts, status, error, durationMs: Date.now() - started };
}

export async function verifyRegion(
    endpoints: RegionEndpoints,
    options: VerifyOptions,
    log: (line: string) => void,
    label: string,
    context: VerifyContext = {},
): Promise<RegionVerification> {
    const checks: CheckResult[] = [];
    for (const probe of probes(endpoints)) {
        // After the first failed check the region is going to be rolled back anyway;
        // probing the rest would only delay that.
        if (checks.some((c) => !c.ok)) {
            checks.push({ check: probe.check, url: probe.url, ok: false, skipped: true, attempts: 0, durationMs: 0 });
            continue;
        }
        checks.push(await runProbe(probe, options, log, label, context));
    }
    return { ok: checks.every((c) => c.ok), checks };
}
