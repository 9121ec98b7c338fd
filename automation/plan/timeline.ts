import type { Assumptions, Estimate, Op } from "./durations";
import type { PlanDocument } from "./json";
import { pathTo, schedule, type ScheduledTask } from "./schedule";
import { planGraph, type GraphOptions } from "./task-graph";

/**
 * A modelled deployment timeline: the plan's dependency graph with a duration per resource
 * operation (durations.ts; the graph: task-graph.ts), scheduled the way the engine runs it
 * (schedule.ts), and checked against the deployment goals. Rendered by timeline-render.ts.
 */

export const GOALS = {
    /** Seed 001, "Pipeline Performance Metrics": full multi-region deployment < 30 minutes. */
    fullDeploymentSeconds: 30 * 60,
    /** Seed 001: single-region deployment < 10 minutes. */
    regionReleaseSeconds: 10 * 60,
} as const;

/**
 * `pulumi up --parallel` default: `runtime.NumCPU() * 4` (pulumi/pulumi#15016 for #14989; the
 * constant in pkg/cmd/pulumi/operations/up.go, settable with PULUMI_PARALLEL since #18782, and
 * cgroup-aware since #18815). deploy.yml runs on GitHub's ubuntu-latest: 2 vCPUs for private
 * repositories, 4 for public ones (docs.github.com "GitHub-hosted runners reference"): 8 or 16.
 * The model takes the smaller.
 */
export const DEFAULT_PARALLEL = 8;

export interface TimelineOptions extends GraphOptions {
    /** Resource operations at once; Infinity for unbounded. Default: DEFAULT_PARALLEL. */
    readonly parallel?: number;
    /** The earlier plan's path, for reports. */
    readonly against?: string;
}

export interface TimelineEntry {
    urn: string;
    name: string;
    type: string;
    region: string;
    op: Op;
    start: number;
    duration: number;
    finish: number;
    basis: string;
    source: string;
    estimate: boolean;
    /** The top-level component (or stack-level resource) this resource belongs to. */
    component: string;
    waitedFor?: { urn: string; kind: "dependency" | "slot" };
}

export interface GoalCheck {
    goal: string;
    /** "stack" or a region name. */
    scope: string;
    limitSeconds: number;
    /** Engine overhead plus the scope's finish time. */
    modelSeconds: number;
    met: boolean;
    /** When not met: the chain of operations that ends last in this scope (operations that take time). */
    blockingChain: { urn: string; name: string; type: string; start: number; duration: number; basis: string }[];
}

export interface TimelineResult {
    stack: string;
    mode: "first-deployment" | "release";
    against?: string;
    parallel: number | "unbounded";
    /** Operations that take time, and all nodes of the graph. */
    operations: number;
    nodes: number;
    overheadSeconds: number;
    /** Finish of the last resource operation, from the first. */
    graphSeconds: number;
    /** overheadSeconds + graphSeconds. */
    totalSeconds: number;
    /** The same graph with every duration at the high end of its range, plus the high overhead. */
    pessimisticSeconds: number;
    criticalPath: TimelineEntry[];
    regions: Record<
        string,
        {
            start: number;
            finish: number;
            totalSeconds: number;
            components: { urn: string; name: string; type: string; start: number; finish: number }[];
            /** The chain that ends with the region's last operation (operations that take time). */
            criticalPath: TimelineEntry[];
        }
    >;
    goals: GoalCheck[];
    assumptions: Assumptions & { migrationSeconds?: number };
    notes: string[];
}

const nameOf = (urn: string) => urn.split("::").pop() ?? urn;

/** Builds and schedules the timeline of a first deployment (no `changes`) or of a release. */
export function buildTimeline(doc: PlanDocument, opts: TimelineOptions = {}): TimelineResult {
    const parallel = opts.parallel ?? DEFAULT_PARALLEL;
    const { nodes, deps, region, states, regions, assumptions, release } = planGraph(doc, opts);
    const tasks = (pick: (e: Estimate) => number) =>
        nodes.map((n) => ({ id: n.id, duration: pick(n.typical), deps: deps.get(n.id)!, external: n.external }));
    const limit = Number.isFinite(parallel) && parallel > 0 ? parallel : Infinity;
    const typical = schedule(
        tasks((e) => e.typical),
        limit,
    );
    const high = schedule(
        tasks((e) => e.high),
        limit,
    );
    const info = new Map(nodes.map((n) => [n.id, n]));

    const topOf = (urn: string): string => {
        let cur = states.get(urn);
        while (cur?.parent && states.get(cur.parent) && states.get(cur.parent)!.type !== "pulumi:pulumi:Stack")
            cur = states.get(cur.parent);
        return cur?.urn ?? urn;
    };
    const entry = (t: ScheduledTask): TimelineEntry => {
        const n = info.get(t.id)!;
        return {
            urn: n.state.urn,
            name: nameOf(n.state.urn),
            type: n.state.type,
            region: region.get(t.id) ?? "stack-wide",
            op: n.op,
            start: t.start,
            duration: t.duration,
            finish: t.finish,
            basis: n.typical.basis,
            source: n.typical.source,
            estimate: n.typical.estimate,
            component: states.has(n.state.urn) ? topOf(n.state.urn) : n.state.urn,
            ...(t.waitedFor ? { waitedFor: { urn: info.get(t.waitedFor.id)?.state.urn ?? t.waitedFor.id, kind: t.waitedFor.kind } } : {}),
        };
    };

    // Per region: when its first and last operations that take time run, and its top-level components.
    const regionsOut: TimelineResult["regions"] = {};
    const overhead = assumptions.engineOverhead;
    // A region is deployed when its creates, updates and replacements are done; the engine's final
    // deletions (old halves of replacements, removed resources) only count where a region has nothing else.
    const isDelete = (id: string) => info.get(id)!.op === "delete";
    const counted = (id: string, r: string) =>
        !isDelete(id) ||
        ![...typical.tasks.values()].some((o) => o.duration > 0 && !isDelete(o.id) && (region.get(o.id) ?? "stack-wide") === r);
    for (const t of typical.tasks.values()) {
        if (t.duration === 0) continue;
        const r = region.get(t.id) ?? "stack-wide";
        const out = (regionsOut[r] ??= { start: t.start, finish: 0, totalSeconds: 0, components: [], criticalPath: [] });
        out.start = Math.min(out.start, t.start);
        if (counted(t.id, r)) out.finish = Math.max(out.finish, t.finish);
        const n = info.get(t.id)!;
        const top = states.has(n.state.urn) ? topOf(n.state.urn) : n.state.urn;
        const topState = states.get(top) ?? n.state;
        let comp = out.components.find((c) => c.urn === top);
        if (!comp) out.components.push((comp = { urn: top, name: nameOf(top), type: topState.type, start: t.start, finish: t.finish }));
        comp.start = Math.min(comp.start, t.start);
        comp.finish = Math.max(comp.finish, t.finish);
    }
    const lastIn = (r: string) =>
        [...typical.tasks.values()]
            .filter((t) => (region.get(t.id) ?? "stack-wide") === r && t.duration > 0 && counted(t.id, r))
            .sort((a, b) => b.finish - a.finish)[0];
    for (const [name, r] of Object.entries(regionsOut)) {
        r.totalSeconds = overhead.typical + r.finish;
        r.components.sort((a, b) => a.start - b.start || a.finish - b.finish);
        const last = lastIn(name);
        r.criticalPath = last
            ? pathTo(typical.tasks, last.id)
                  .filter((t) => t.duration > 0)
                  .map(entry)
            : [];
    }

    const chainTo = (id: string) =>
        pathTo(typical.tasks, id)
            .filter((t) => t.duration > 0)
            .map((t) => {
                const e = entry(t);
                return { urn: e.urn, name: e.name, type: e.type, start: e.start, duration: e.duration, basis: e.basis };
            });
    const goals: GoalCheck[] = [];
    const total = overhead.typical + typical.makespan;
    const lastId = typical.criticalPath.at(-1)?.id;
    goals.push({
        goal: `full ${regions.length > 1 ? "multi-region " : ""}${release ? "release" : "deployment"} < 30 min (the CI/CD Pipeline document)`,
        scope: "stack",
        limitSeconds: GOALS.fullDeploymentSeconds,
        modelSeconds: total,
        // The CI/CD Pipeline document says "< 30 min": strictly less.
        met: total < GOALS.fullDeploymentSeconds,
        blockingChain: total < GOALS.fullDeploymentSeconds || !lastId ? [] : chainTo(lastId),
    });
    if (release) {
        for (const r of regions.slice().sort()) {
            const rr = regionsOut[r];
            const model = overhead.typical + (rr?.finish ?? 0);
            const last = lastIn(r);
            goals.push({
                goal: "single-region release < 10 min (the CI/CD Pipeline document)",
                scope: r,
                limitSeconds: GOALS.regionReleaseSeconds,
                modelSeconds: model,
                met: model < GOALS.regionReleaseSeconds,
                blockingChain: model < GOALS.regionReleaseSeconds || !last ? [] : chainTo(last.id),
            });
        }
    }

    const notes = [
        "Each region's time counts from the start of `pulumi up` and includes stack-wide work it waits for (image builds, the primary's migration);",
        "the engine's final deletions (old halves of replacements) count for the stack, not for a region that has other work.",
        "Not modelled: the deploy driver's staged rollout (one region, verification, then the next), which adds the verification time between regions.",
    ];
    const operations = nodes.filter((n) => n.typical.typical > 0 && !n.external).length;
    return {
        stack: doc.stack,
        mode: release ? "release" : "first-deployment",
        ...(opts.against ? { against: opts.against } : {}),
        parallel: Number.isFinite(limit) ? limit : "unbounded",
        operations,
        nodes: nodes.length,
        overheadSeconds: overhead.typical,
        graphSeconds: typical.makespan,
        totalSeconds: total,
        pessimisticSeconds: overhead.high + high.makespan,
        criticalPath: typical.criticalPath.map(entry),
        regions: regionsOut,
        goals,
        assumptions: { ...assumptions, ...(opts.migrationSeconds !== undefined ? { migrationSeconds: opts.migrationSeconds } : {}) },
        notes,
    };
}
