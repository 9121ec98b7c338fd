import { wrap } from "./diff";
import type { TimelineResult } from "./timeline";

/** The deployment timeline (timeline.ts) as text: critical path, Gantt per region, goals. */

/** `1h 02m 05s`, `12m 30s`, `45s`. */
export function humanTime(seconds: number): string {
    const s = Math.round(seconds);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const r = s % 60;
    if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m ${String(r).padStart(2, "0")}s`;
    if (m > 0) return `${m}m ${String(r).padStart(2, "0")}s`;
    return `${r}s`;
}

/** `m:ss` (or `h:mm:ss`). */
export function clock(seconds: number): string {
    const s = Math.round(seconds);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const r = String(s % 60).padStart(2, "0");
    return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${r}` : `${m}:${r}`;
}

/**
 * `s` in a column of `n` characters: whole, or cut at the last word boundary (a space, "-", "/" or
 * "."; mid-word only when no boundary falls in the column's second half) and marked with "…".
 */
export function clip(s: string, n: number): string {
    if (s.length <= n) return s.padEnd(n);
    const limit = n - 1;
    const boundary = Math.max(...[" ", "-", "/", "."].map((c) => s.lastIndexOf(c, limit - 1)));
    const at = boundary >= limit / 2 ? (s[boundary] === " " ? boundary : boundary + 1) : limit;
    return `${s.slice(0, at).trimEnd()}…`.padEnd(n);
}
const short = (type: string) => type.split(":").pop() ?? type;

export function renderTimeline(t: TimelineResult, notes: string[] = []): string {
    const W = 99;
    const lines: string[] = [];
    const what =
        t.mode === "first-deployment"
            ? `first deployment (every resource created: ${t.operations} operations that take time, ${t.nodes} nodes)`
            : `release against ${t.against} (only changed resources are deployed: ${t.operations} operations that take time)`;
    lines.push(`Deployment timeline for stack "${t.stack}": ${what}.`);
    lines.push(
        t.parallel === "unbounded"
            ? "Engine: unbounded parallelism (--parallel 0): the finish time is the longest path."
            : `Engine: up to ${t.parallel} resource operations at once (--parallel; \`pulumi up\` defaults to 4 x CPUs since pulumi/pulumi#15016).`,
    );
    lines.push(
        `Modelled: ${humanTime(t.totalSeconds)} = ${humanTime(t.overheadSeconds)} engine overhead + ${humanTime(t.graphSeconds)} of resource operations.`,
    );
    lines.push(`Pessimistic (every duration at the high end of its range): ${humanTime(t.pessimisticSeconds)}.`);

    lines.push("", "Critical path (times from the first resource operation):");
    lines.push(`  ${"start".padStart(7)} ${"takes".padStart(7)} ${"finish".padStart(7)}  ${"resource".padEnd(34)} type: basis`);
    for (const item of collapse(t.criticalPath.filter((e, i, a) => e.duration > 0 || i === a.length - 1))) {
        if ("run" in item) {
            const head = `  ${clock(item.start).padStart(7)} ${clock(item.finish - item.start).padStart(7)} ${clock(item.finish).padStart(7)}  `;
            lines.push(
                head +
                    clip(`${item.run} short operations in a row (${item.slot} of them waited for a free slot)`, W - head.length).trimEnd(),
            );
            continue;
        }
        const e = item;
        const wait = e.waitedFor?.kind === "slot" ? " [waited for a free slot]" : "";
        const head = `  ${clock(e.start).padStart(7)} ${clock(e.duration).padStart(7)} ${clock(e.finish).padStart(7)}  ${clip(e.name, 34)} `;
        lines.push(head + clip(`${short(e.type)}: ${e.basis}${e.estimate ? " (est.)" : ""}${wait}`, W - head.length).trimEnd());
    }

    const span = Math.max(t.graphSeconds, 1);
    const barWidth = 50;
    const col = (sec: number) => Math.min(barWidth - 1, Math.floor((sec / span) * barWidth));
    const bar = (ranges: [number, number, string][]) => {
        const cells = Array.from({ length: barWidth }, () => ".");
        for (const [a, b, ch] of ranges) for (let c = col(a); c <= col(Math.max(a, b - 1e-9)); c++) cells[c] = ch;
        return cells.join("");
    };
    lines.push(
        "",
        `Gantt (${barWidth} columns = ${humanTime(span)}; "=" a component from its first to its last operation, "#" the chain that ends the region last):`,
    );
    for (const [r, info] of Object.entries(t.regions).sort(([a], [b]) =>
        a === "stack-wide" ? 1 : b === "stack-wide" ? -1 : a.localeCompare(b),
    )) {
        lines.push(`${r}: ${clock(info.start)} – ${clock(info.finish)} (with engine overhead: ${humanTime(info.totalSeconds)})`);
        const names = info.components.map((c) => c.name);
        for (const c of info.components) {
            const onPath = info.criticalPath.filter((e) => e.component === c.urn);
            const label = names.filter((n) => n === c.name).length > 1 ? `${c.name} (${short(c.type)})` : c.name;
            lines.push(
                `  ${clip(label, 36)} |${bar([[c.start, c.finish, "="], ...onPath.map((e) => [e.start, e.finish, "#"] as [number, number, string])])}| ${clock(c.finish)}`,
            );
        }
        for (const e of info.criticalPath.filter((x) => x.region === r && x.duration >= span / barWidth)) {
            lines.push(`  ${clip(`* ${e.name}`, 36)} |${bar([[e.start, e.finish, "#"]])}| ${clock(e.finish)}`);
        }
    }

    if (t.rollback) {
        lines.push("", "Rollback of one region (the deploy driver's `pulumi up` of the previous release there, the other regions pinned):");
        for (const [r, rb] of Object.entries(t.rollback.regions)) {
            const aborted = rb.abortedRollouts.length
                ? `; canaries aborted back to their running stable pods (${rb.abortedRollouts.join(", ")})`
                : "";
            if (rb.criticalPath.length === 0 && !aborted) {
                lines.push(`  ${r}: no workload behind the load balancer changes; update done ${humanTime(rb.updateSeconds)}.`);
                continue;
            }
            lines.push(
                `  ${r}: stable traffic after ${humanTime(rb.stableTrafficSeconds)} (incl. ${rb.drainSeconds}s drain${aborted}); update done ${humanTime(rb.updateSeconds)}; verified ${humanTime(rb.verifiedSeconds)}${rb.migrationJobRuns ? "; the migration Job runs again (it reverses nothing)" : ""}.`,
            );
            for (const e of rb.criticalPath) {
                const head = `    ${clock(e.start).padStart(7)} +${clock(e.duration).padStart(6)}  ${clip(e.name, 32)} `;
                lines.push(head + clip(`${e.op}: ${e.basis}`, W - head.length).trimEnd());
            }
        }
    }

    lines.push("", "Goals:");
    for (const g of [...t.goals, ...(t.rollback?.goals ?? [])]) {
        const scope = g.scope === "stack" ? "" : ` ${g.scope}`;
        const cmp = g.inclusive ? (g.met ? "<=" : ">") : g.met ? "<" : ">=";
        lines.push(`  ${g.goal}${scope}: ${humanTime(g.modelSeconds)} ${cmp} ${humanTime(g.limitSeconds)}: ${g.met ? "met" : "NOT MET"}`);
        if (!g.met) {
            lines.push("    What prevents it (the chain that ends last; each step waits for the one before):");
            for (const s of collapse(g.blockingChain)) {
                if ("run" in s) {
                    lines.push(
                        `      ${clock(s.start).padStart(7)} +${clock(s.finish - s.start).padStart(6)}  ${s.run} short operations in a row`,
                    );
                    continue;
                }
                lines.push(
                    `      ${clock(s.start).padStart(7)} +${clock(s.duration).padStart(6)}  ${clip(s.name, 32)} ${clip(s.basis, W - 56).trimEnd()}`,
                );
            }
            const top = [...g.blockingChain].sort((a, b) => b.duration - a.duration).slice(0, 3);
            lines.push(`    Largest steps: ${top.map((s) => `${s.name} ${humanTime(s.duration)}`).join(", ")}.`);
        }
    }
    if (t.rollback?.why) lines.push(`  Why the rollback goals are not met: ${t.rollback.why}`);
    lines.push(
        "",
        ...t.notes,
        ...(t.rollback?.notes ?? []),
        'Durations: automation/plan/durations.ts (sources per type; "est." marks estimates).',
    );
    for (const n of notes) lines.push(n);
    return lines.flatMap((l) => wrap(l, W)).join("\n") + "\n";
}

/** Runs of three or more consecutive operations under 30 s each, as one item. */
function collapse<T extends { start: number; duration: number; waitedFor?: { kind: string } }>(
    items: readonly T[],
): (T | { run: number; slot: number; start: number; finish: number })[] {
    const out: (T | { run: number; slot: number; start: number; finish: number })[] = [];
    for (let i = 0; i < items.length;) {
        let j = i;
        while (j < items.length && items[j].duration < 30) j++;
        if (j - i >= 3) {
            const run = items.slice(i, j);
            out.push({
                run: run.length,
                slot: run.filter((x) => x.waitedFor?.kind === "slot").length,
                start: run[0].start,
                finish: run[run.length - 1].start + run[run.length - 1].duration,
            });
            i = j;
        } else {
            out.push(items[i]);
            i++;
        }
    }
    return out;
}
