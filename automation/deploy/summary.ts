import * as fs from "node:fs";
import * as path from "node:path";
import type { ErrorKind } from "./errors";
import { formatChanges, type OperationReport, type PolicyFinding, type StatefulChange } from "./events";
import type { ImageScanSummary } from "./image-scan";
import type { PendingOperation } from "./stack";
import type { CheckResult, RegionVerification } from "./verify";

// What a deploy run reports: written as JSON for tools (`--summary`) and rendered as
// Markdown for people (the GitHub job summary). Both come from this one structure.

export type DeployResult =
    /** Every region in the rollout is on the new release and verified. */
    | "succeeded"
    /** `--preview-only`: the gates ran, nothing changed. */
    | "previewed"
    /** A gate stopped the run before any change (policy, stateful replacement, confirmation). */
    | "blocked"
    /** A region failed; see its rollback. */
    | "failed"
    /** The run could not operate the stack at all (CLI, login, credentials, outputs...). */
    | "error"
    /** SIGINT or SIGTERM: the running operation was cancelled and nothing further started. */
    | "cancelled";

/** `unchanged`: its update could not start (another update held the stack's lock), so nothing changed there. */
export type RegionStatus =
    | "deployed"
    | "rolled-back"
    | "rollback-failed"
    | "failed"
    | "blocked"
    | "unchanged"
    /** A signal stopped the run while this region was being changed or verified. */
    | "cancelled"
    | "not-started";

export interface PreviewSummary {
    changes: Record<string, number>;
    policy: { mandatory: PolicyFinding[]; advisory: PolicyFinding[] };
    statefulChanges: StatefulChange[];
}

export interface RollbackSummary {
    release: string;
    changes?: Record<string, number>;
    verification?: RegionVerification;
    verified: boolean;
    error?: string;
}

export interface RegionSummary {
    region: string;
    role: "primary" | "secondary";
    previousRelease?: string;
    newRelease: string;
    status: RegionStatus;
    /** The preview right before this region's update: exactly its own changes. */
    preview?: PreviewSummary;
    changes?: Record<string, number>;
    verification?: RegionVerification;
    /** Set when the region failed; `null` when a rollback was impossible (see `error`). */
    rollback?: RollbackSummary | null;
    error?: string;
    durationMs: number;
}

export interface DeploySummary {
    stack: string;
    release: string;
    options: { previewOnly: boolean; region?: string; allowReplace: boolean };
    /** The deployment windows the run was judged by, when the stack has any and the run could change it. */
    window?: { inside: boolean; local: string; windows: string };
    /** The reason given with `--emergency` for a run outside the deployment windows. */
    emergency?: string;
    /** The reason given with `--allow-minor-skip` for a release that skips a Saleor minor version. */
    minorSkip?: string;
    /** The scan of the storefront image as built, before any region served it (or why it was skipped). */
    imageScan?: ImageScanSummary;
    /** Release notifications posted to saleor:releaseWebhookUrl, and whether the webhook took each. */
    notifications?: { event: "start" | "success" | "rollback" | "failure"; sent: boolean }[];
    startedAt: string;
    finishedAt: string;
    durationMs: number;
    result: DeployResult;
    /** One sentence: what happened, what failed, what was rolled back. */
    message: string;
    /** The stack-wide preview of the end state that gated the run. */
    preview?: PreviewSummary;
    regions: RegionSummary[];
    /** Resource operations a failed or cancelled update left unfinished (the checkpoint's pending_operations). */
    pendingOperations?: PendingOperation[];
    error?: { kind: ErrorKind | "outputs" | "usage" | "config"; message: string; detail?: string };
}

/** A failover's stage as one run saw it: done, failed (the run stopped there) or skipped (outage mode). */
export interface FailoverStageSummary {
    stage: string;
    result: "done" | "failed" | "skipped";
    startedAt: string;
    /** When it finished (the run's clock); absent for a failed stage. */
    finishedAt?: string;
    durationMs: number;
    /** Why a stage failed. */
    error?: string;
    /** Why a stage was skipped and what is left to do for it. */
    note?: string;
}

/** What a failover run (`--failover`) reports, in the same two files as a release's summary. */
export interface FailoverRunSummary {
    kind: "failover";
    stack: string;
    /** The primary region the failover leaves (the first leg's, in a drill). */
    from?: string;
    to?: string;
    drill: boolean;
    /** Resumed after a stage recorded in the state file. */
    resumedAfter?: string;
    /** The deployment windows the run was judged by, when the stack has any (a failover is never held back by them; a drill is). */
    window?: { inside: boolean; local: string; windows: string };
    /** The reason given with `--emergency`. */
    emergency?: string;
    /** Notifications posted to saleor:releaseWebhookUrl, and whether the webhook took each. */
    notifications?: { event: "start" | "success" | "failure"; sent: boolean }[];
    startedAt: string;
    finishedAt: string;
    durationMs: number;
    result: "succeeded" | "failed" | "blocked" | "error";
    /** 0 done, 1 a stage failed (resume with --resume), 2 usage or config, 3 refused before any change, 4 stack could not be operated. */
    exitCode: 0 | 1 | 2 | 3 | 4;
    /** One sentence: what happened; on a failure, the command to resume. */
    message: string;
    /** Every leg run or resumed in this run (a drill has two), with the result and time of each stage it ran. */
    legs: { from: string; to: string; stages: FailoverStageSummary[] }[];
    /** What the operator still has to do (outage mode: the reconcile step once the region answers again). */
    followUp?: string[];
}

export function previewSummary(report: OperationReport): PreviewSummary {
    return {
        changes: report.changes,
        policy: { mandatory: report.mandatory, advisory: report.advisory },
        statefulChanges: report.statefulChanges,
    };
}

const RESULT_ICON: Record<DeployResult, string> = {
    succeeded: "✅",
    previewed: "🔎",
    blocked: "⛔",
    failed: "❌",
    error: "⚠️",
    cancelled: "🛑",
};

function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function seconds(ms: number): string {
    return `${(ms / 1000).toFixed(1)} s`;
}

function checkLine(c: CheckResult): string {
    if (c.skipped) {
        return `- ⏭️ ${c.check} \`${c.url}\`: skipped`;
    }
    const facts = [...(c.status === undefined ? [] : [`HTTP ${c.status}`]), `${c.attempts} attempt${c.attempts === 1 ? "" : "s"}`];
    const tail = c.ok ? "" : `: ${c.error ?? "failed"}`;
    return `- ${c.ok ? "✅" : "❌"} ${c.check} \`${c.url}\`${tail} (${facts.join(", ")})`;
}

function findingLines(title: string, findings: PolicyFinding[]): string[] {
    if (findings.length === 0) {
        return [];
    }
    return [
        `**${title}**`,
        "",
        ...findings.map((f) => `- \`${f.policyPack}/${f.policy}\`${f.urn ? ` on \`${f.urn}\`` : ""}: ${cell(f.message)}`),
        "",
    ];
}

function previewLines(heading: string, p: PreviewSummary): string[] {
    const lines = [`### ${heading}`, "", `Changes: ${formatChanges(p.changes)}`, ""];
    lines.push(...findingLines("Mandatory policy violations", p.policy.mandatory));
    lines.push(...findingLines("Advisory policy findings", p.policy.advisory));
    if (p.statefulChanges.length > 0) {
        lines.push("**Replacements or deletions of stateful resources**", "");
        lines.push(...p.statefulChanges.map((s) => `- ${s.op} \`${s.type}\` \`${s.urn}\``), "");
    }
    return lines;
}

export function renderMarkdown(s: DeploySummary): string {
    const lines: string[] = [`## ${RESULT_ICON[s.result]} Deploy \`${s.stack}\` → \`${s.release}\`: ${s.result}`, "", s.message, ""];
    if (s.emergency !== undefined && s.window) {
        lines.push(
            `**Emergency release outside the deployment windows** (${s.window.local}; windows ${s.window.windows}): ${cell(s.emergency)}`,
            "",
        );
    }
    if (s.minorSkip !== undefined) {
        lines.push(`**Skips a Saleor minor version** (Saleor upgrades one minor at a time): ${cell(s.minorSkip)}`, "");
    }
    if (s.error) {
        // The message above already is the explanation; add what was recognised and the raw lines.
        lines.push(`Cause: \`${s.error.kind}\``, "");
        if (s.error.detail) {
            lines.push("```", s.error.detail, "```", "");
        }
    }
    if (s.regions.length > 0) {
        lines.push(
            "| Region | Role | Previous | New | Preview | Status | Verification | Duration |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        );
        for (const r of s.regions) {
            const verification = r.verification ? (r.verification.ok ? "passed" : "failed") : "–";
            lines.push(
                `| ${r.region} | ${r.role} | ${r.previousRelease ?? "–"} | ${r.newRelease} | ${r.preview ? formatChanges(r.preview.changes) : "–"} | ${r.status} | ${verification} | ${seconds(r.durationMs)} |`,
            );
        }
        lines.push("");
    }
    if (s.pendingOperations?.length) {
        lines.push(
            "### Pending operations",
            "",
            "The engine started these and never saw them finish; `pulumi refresh` reconciles them with the cloud before the next update.",
            "",
            ...s.pendingOperations.map((op) => `- ${op.type} \`${op.resourceType}\` \`${op.urn}\``),
            "",
        );
    }
    if (s.preview) {
        lines.push(...previewLines("Preview of the rollout", s.preview));
    }
    for (const r of s.regions) {
        const details: string[] = [];
        // Advisory findings are already listed under the rollout's preview; a region's
        // own preview only matters when it is what stopped the region.
        if (r.status === "blocked" && r.preview) {
            details.push(...previewLines(`${r.region}: preview`, r.preview));
        }
        if (r.verification && !r.verification.ok) {
            details.push(`### ${r.region}: verification`, "", ...r.verification.checks.map(checkLine), "");
        }
        if (r.error) {
            details.push(`**${r.region}**: ${cell(r.error)}`, "");
        }
        if (r.rollback) {
            const rb = r.rollback;
            details.push(`### ${r.region}: rollback to \`${rb.release}\` ${rb.verified ? "verified ✅" : "NOT verified ❌"}`, "");
            if (rb.error) {
                details.push(cell(rb.error), "");
            }
            if (rb.verification) {
                details.push(...rb.verification.checks.map(checkLine), "");
            }
        }
        lines.push(...details);
    }
    lines.push(`_Started ${s.startedAt}, took ${seconds(s.durationMs)}._`, "");
    return lines.join("\n");
}

const FAILOVER_ICON: Record<FailoverRunSummary["result"], string> = { succeeded: "✅", failed: "❌", blocked: "⛔", error: "⚠️" };

export function renderFailoverMarkdown(s: FailoverRunSummary): string {
    const route = s.from && s.to ? `: ${s.from} → ${s.to}${s.drill ? ` → ${s.from} (drill)` : ""}` : "";
    const lines: string[] = [`## ${FAILOVER_ICON[s.result]} Failover \`${s.stack}\`${route}: ${s.result}`, "", s.message, ""];
    if (s.resumedAfter) lines.push(`Resumed after \`${s.resumedAfter}\`.`, "");
    if (s.window && !s.window.inside) {
        lines.push(
            `**Started outside the deployment windows** (${s.window.local}; windows ${s.window.windows})${s.emergency !== undefined ? `: ${cell(s.emergency)}` : ""}`,
            "",
        );
    } else if (s.emergency !== undefined) {
        lines.push(`**Emergency**: ${cell(s.emergency)}`, "");
    }
    const stages = s.legs.flatMap((leg) => leg.stages.map((stage) => ({ leg: `${leg.from} → ${leg.to}`, stage })));
    if (stages.length > 0) {
        lines.push("| Leg | Stage | Result | Started | Duration |", "| --- | --- | --- | --- | --- |");
        for (const { leg, stage } of stages) {
            lines.push(`| ${leg} | ${stage.stage} | ${stage.result} | ${stage.startedAt} | ${seconds(stage.durationMs)} |`);
        }
        lines.push("");
        for (const { stage } of stages) {
            if (stage.error) lines.push(`**${stage.stage}**: ${cell(stage.error)}`, "");
            if (stage.note) lines.push(`**${stage.stage}** (${stage.result}): ${cell(stage.note)}`, "");
        }
    }
    if (s.followUp?.length) {
        lines.push("### Still to do", "", ...s.followUp.map((f) => `- ${f}`), "");
    }
    lines.push(`_Started ${s.startedAt}, took ${seconds(s.durationMs)}._`, "");
    return lines.join("\n");
}

/** JSON for tools, Markdown appended to the GitHub job summary (the file Actions renders); a failover's the same way. */
export function writeSummaries(summary: DeploySummary | FailoverRunSummary, paths: { json?: string; stepSummary?: string }): void {
    if (paths.json) {
        fs.mkdirSync(path.dirname(paths.json), { recursive: true });
        fs.writeFileSync(paths.json, `${JSON.stringify(summary, null, 2)}\n`);
    }
    if (paths.stepSummary) {
        const markdown = "kind" in summary ? renderFailoverMarkdown(summary) : renderMarkdown(summary);
        fs.appendFileSync(paths.stepSummary, `${markdown}\n`);
    }
}
