import type { RegionProbe } from "./failover-stack";

// Does a region's AWS answer? What `--failover --primary-down` asks before it skips the stages that
// need the old primary, and before its reconcile. The stages need the region's RDS API (the old
// writer and reader) and its EKS cluster (Core, beat), so both regional endpoints are asked, with
// an unsigned GET: any HTTP answer below 500 (AWS answers an unsigned request with an error such as
// 403 MissingAuthenticationToken) means the endpoint is up; no answer within the timeout, a network
// error or a 5xx means it is not. Endpoint names: AWS General Reference, "Service endpoints"
// (rds.<region>.amazonaws.com, eks.<region>.amazonaws.com). Not observed here: this machine has no
// network to AWS; what an endpoint answers during a real regional outage is not documented.

export const PROBED_SERVICES = ["rds", "eks"] as const;

/** The part of fetch the probe uses (a GET has no body). */
export type ProbeFetch = (url: string, init: { method: "GET"; signal: AbortSignal }) => Promise<{ status: number }>;

export async function probeAwsRegion(region: string, fetch: ProbeFetch, timeoutMs = 10_000): Promise<RegionProbe> {
    const answers = await Promise.all(
        PROBED_SERVICES.map(async (service) => {
            const host = `${service}.${region}.amazonaws.com`;
            try {
                const res = await fetch(`https://${host}/`, { method: "GET", signal: AbortSignal.timeout(timeoutMs) });
                return { host, ok: res.status < 500, what: `HTTP ${res.status}` };
            } catch (e) {
                const cause = (e as { cause?: { code?: string } }).cause?.code;
                return { host, ok: false, what: cause ?? (e instanceof Error ? e.message : String(e)) };
            }
        }),
    );
    return {
        reachable: answers.every((a) => a.ok),
        detail: answers.map((a) => `${a.host}: ${a.what}`).join(", "),
    };
}
