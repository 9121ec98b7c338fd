import type { DeploySummary, FailoverRunSummary } from "./summary";

// Release notifications (the CI/CD Pipeline's "Deployment Notifications: Sent to Slack channel";
// the Deployment Process announces start and completion in a channel): a JSON `{"text": ...}` POST
// to a Slack-compatible incoming webhook, the format Slack documents for incoming webhooks
// (https://api.slack.com/messaging/webhooks) and that Mattermost, Rocket.Chat and Discord's /slack
// endpoint accept. The URL is the credential: it is never logged or written to a summary.

export type ReleaseEvent = "start" | "success" | "rollback" | "failure";

export type FetchLike = (
    url: string,
    init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{
    ok: boolean;
    status: number;
}>;

export interface NotifierOptions {
    webhookUrl: string;
    /** Where a reader finds the run's summary (the CI run's page, or the summary file). */
    summaryLink?: string;
    fetch: FetchLike;
    log: (line: string) => void;
    timeoutMs?: number;
}

const ICON: Record<ReleaseEvent, string> = { start: ":rocket:", success: ":white_check_mark:", rollback: ":rewind:", failure: ":x:" };

export function notificationText(event: ReleaseEvent, s: DeploySummary, summaryLink?: string): string {
    const regions = s.regions.map((r) => r.region).join(", ");
    const what = `${s.release} to ${s.stack}${regions ? ` (${regions})` : ""}`;
    const head =
        event === "start"
            ? `Release ${what} started${s.emergency !== undefined ? ` — EMERGENCY outside the deployment windows: ${s.emergency}` : ""}.`
            : event === "success"
              ? `Release ${what} is live and verified.`
              : event === "rollback"
                ? `Release ${what} was rolled back: ${s.message}`
                : `Release ${what} FAILED: ${s.message}`;
    return `${ICON[event]} ${head}${summaryLink ? `\nSummary: ${summaryLink}` : ""}`;
}

export type FailoverEvent = "start" | "success" | "failure";

const FAILOVER_ICON: Record<FailoverEvent, string> = { start: ":rotating_light:", success: ":white_check_mark:", failure: ":x:" };

/**
 * A failover's messages: its start (or resume), a stage that failed (with the command to resume:
 * the run's message says it), its end. A drill names both legs.
 */
export function failoverNotificationText(event: FailoverEvent, s: FailoverRunSummary, summaryLink?: string): string {
    const what = `${s.drill ? "Failover drill" : "Failover"} of ${s.stack} from ${s.from} to ${s.to}${s.drill ? " and back" : ""}`;
    const failedStage = s.legs.flatMap((l) => l.stages).find((st) => st.result === "failed")?.stage;
    const outside = s.window && !s.window.inside ? ` Outside the deployment windows (${s.window.local})` : "";
    const reason = s.emergency !== undefined ? `${outside ? ":" : " Emergency:"} ${s.emergency}` : "";
    const head =
        event === "start"
            ? `${what} ${s.resumedAfter ? `resumed after ${s.resumedAfter}` : "started"}.${outside}${reason}${outside || reason ? "." : ""}`
            : event === "success"
              ? `${what} is done: ${s.drill ? s.from : s.to} is the primary region${s.drill ? " again" : ""}.${s.followUp?.length ? ` Still to do: ${s.followUp.join(" ")}` : ""}`
              : `${what} FAILED${failedStage ? ` at ${failedStage}` : ""}: ${s.message}`;
    return `${FAILOVER_ICON[event]} ${head}${summaryLink ? `\nSummary: ${summaryLink}` : ""}`;
}

/** Posts one message; a webhook that fails is a warning, never a failed release. */
export async function notify(event: ReleaseEvent, summary: DeploySummary, options: NotifierOptions): Promise<boolean> {
    return post(event, notificationText(event, summary, options.summaryLink), options);
}

/** POSTs `{"text": text}`; false (and a warning naming the webhook's host only) when the webhook did not take it. */
export async function post(event: string, text: string, options: NotifierOptions): Promise<boolean> {
    const host = hostOf(options.webhookUrl);
    try {
        const res = await options.fetch(options.webhookUrl, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ text }),
            signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
        if (!res.ok) {
            options.log(
                `  warning: the release webhook (${host}) answered HTTP ${res.status} to the ${event} notification; the deploy goes on`,
            );
            return false;
        }
        return true;
    } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        options.log(`  warning: the ${event} notification to the release webhook (${host}) failed: ${reason}; the deploy goes on`);
        return false;
    }
}

/** The host only: the path of an incoming webhook URL is its token. */
function hostOf(url: string): string {
    try {
        return new URL(url).host;
    } catch {
        return "invalid URL";
    }
}
