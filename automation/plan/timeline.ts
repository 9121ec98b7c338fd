import type { ResourceChange } from "./diff";
import { regionFinder, statesOf, wrap } from "./diff";
import { DEFAULT_ASSUMPTIONS, durationOf, type Assumptions, type DurationContext, type Estimate, type Op } from "./durations";
import type { PlanDocument, PlanState } from "./json";
import { regionNames } from "./render";

/**
 * A modelled deployment timeline: the plan's dependency graph with a duration per resource
 * operation (durations.ts), scheduled the way the engine runs it.
 *
 * The engine (`pulumi up`) starts every resource operation whose dependencies are done, up to
 * `--parallel` at once. Since pulumi/pulumi#15016 (Jan 2024) the default is 4 × the number of
 * CPUs (before, unbounded), so a 2-vCPU runner runs 8 at once and a 4-vCPU runner 16. With no
 * bound the finish time is the longest path; with a bound, a list-scheduling simulation (ready
 * operations start in the order they became ready) gives it.
 */

// ---- The scheduler: plain tasks with durations and dependencies ---------------------------

export interface TaskNode {
    readonly id: string;
    readonly duration: number;
    readonly deps: readonly string[];
    /** Something the cloud does on its own (e.g. ECR replication): it takes no engine slot. */
    readonly external?: boolean;
}

export interface ScheduledTask {
    readonly id: string;
    readonly start: number;
    readonly duration: number;
    readonly finish: number;
    /** What decided the start: the dependency that finished last, or the task that freed a slot. */
    readonly waitedFor?: { readonly id: string; readonly kind: "dependency" | "slot" };
}

export interface Schedule {
    readonly tasks: Map<string, ScheduledTask>;
    readonly makespan: number;
    /** From the first task to the one that finishes last, following `waitedFor`. */
    readonly criticalPath: ScheduledTask[];
}

/**
 * Schedules tasks: each starts when its dependencies have finished and (for tasks that take time)
 * one of `parallel` slots is free; tasks that take no time, and external ones, never wait for a
 * slot and hold none. Ready tasks start in the order they became ready, then in input order.
 * `parallel` Infinity gives the longest path.
 */
export function schedule(nodes: readonly TaskNode[], parallel = Infinity): Schedule {
    if (!(parallel >= 1)) throw new Error(`parallel must be at least 1 (got ${parallel})`);
    const byId = new Map(nodes.map((n, i) => [n.id, { n, i }]));
    if (byId.size !== nodes.length) throw new Error("duplicate task ids");
    const successors = new Map<string, string[]>();
    const remaining = new Map<string, number>();
    for (const n of nodes) {
        const deps = [...new Set(n.deps)];
        for (const d of deps) {
            if (!byId.has(d)) throw new Error(`task ${n.id} depends on unknown task ${d}`);
            successors.set(d, [...(successors.get(d) ?? []), n.id]);
        }
        remaining.set(n.id, deps.length);
    }
    const done = new Map<string, ScheduledTask>();
    const ready: { id: string; at: number; order: number }[] = [];
    const running: ScheduledTask[] = [];
    const external: ScheduledTask[] = [];
    const readyAt = (id: string) => Math.max(0, ...byId.get(id)!.n.deps.map((d) => done.get(d)!.finish));
    for (const n of nodes) if (remaining.get(n.id) === 0) ready.push({ id: n.id, at: 0, order: byId.get(n.id)!.i });
    let time = 0;
    let freedBy: string | undefined;

    const complete = (t: ScheduledTask) => {
        done.set(t.id, t);
        for (const s of successors.get(t.id) ?? []) {
            const left = remaining.get(s)! - 1;
            remaining.set(s, left);
            if (left === 0) ready.push({ id: s, at: readyAt(s), order: byId.get(s)!.i });
        }
    };
    const start = (id: string, at: number): ScheduledTask => {
        const n = byId.get(id)!.n;
        const depFinish = readyAt(id);
        let waitedFor: ScheduledTask["waitedFor"];
        if (at > depFinish && freedBy) waitedFor = { id: freedBy, kind: "slot" };
        else if (n.deps.length > 0) {
            // The dependency that finished last; among equals, the one that took longest.
            const last = n.deps.map((d) => done.get(d)!).filter((d) => d.finish === depFinish)
                .sort((a, b) => b.duration - a.duration || b.start - a.start)[0];
            waitedFor = { id: last.id, kind: "dependency" };
        }
        return { id, start: at, duration: n.duration, finish: at + n.duration, waitedFor };
    };

    while (done.size < nodes.length) {
        let progressed = true;
        while (progressed) {
            progressed = false;
            ready.sort((a, b) => a.at - b.at || a.order - b.order);
            for (let k = 0; k < ready.length; k++) {
                const r = ready[k];
                if (r.at > time) break;
                const n = byId.get(r.id)!.n;
                if (n.duration === 0) {
                    ready.splice(k, 1);
                    complete(start(r.id, time));
                    progressed = true;
                    break;
                }
                if (n.external || running.length < parallel) {
                    ready.splice(k, 1);
                    (n.external ? external : running).push(start(r.id, time));
                    progressed = true;
                    break;
                }
            }
        }
        if (done.size === nodes.length) break;
        const nextFinish = Math.min(...running.map((t) => t.finish), ...external.map((t) => t.finish));
        const nextReady = Math.min(...ready.filter((r) => r.at > time).map((r) => r.at));
        const next = Math.min(nextFinish, nextReady);
        if (!Number.isFinite(next)) {
            const stuck = nodes.filter((n) => !done.has(n.id)).map((n) => n.id);
            throw new Error(`dependency cycle among: ${stuck.slice(0, 8).join(", ")}${stuck.length > 8 ? ", ..." : ""}`);
        }
        time = next;
        freedBy = undefined;
        running.sort((a, b) => a.finish - b.finish);
        while (running.length > 0 && running[0].finish <= time) {
            const t = running.shift()!;
            freedBy = t.id;
            complete(t);
        }
        for (const t of external.filter((x) => x.finish <= time)) {
            external.splice(external.indexOf(t), 1);
            complete(t);
        }
    }

    const all = [...done.values()];
    const makespan = Math.max(0, ...all.map((t) => t.finish));
    const last = all.filter((t) => t.finish === makespan).sort((a, b) => b.duration - a.duration || byId.get(b.id)!.i - byId.get(a.id)!.i)[0];
    return { tasks: done, makespan, criticalPath: last ? pathTo(done, last.id) : [] };
}

/** The chain of `waitedFor` that ends at `id`, first task first. */
export function pathTo(tasks: Map<string, ScheduledTask>, id: string): ScheduledTask[] {
    const path: ScheduledTask[] = [];
    const seen = new Set<string>();
    for (let t = tasks.get(id); t && !seen.has(t.id); t = t.waitedFor ? tasks.get(t.waitedFor.id) : undefined) {
        seen.add(t.id);
        path.unshift(t);
    }
    return path;
}

// ---- Plans as task graphs -------------------------------------------------------------------

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

export interface TimelineOptions {
    /** Resource operations at once; Infinity for unbounded. Default: DEFAULT_PARALLEL. */
    readonly parallel?: number;
    /** Per-resource changes of a release (from diffPlans); absent: a first deployment. */
    readonly changes?: Map<string, ResourceChange>;
    /** The earlier plan's path, for reports. */
    readonly against?: string;
    readonly assumptions?: Assumptions;
    /** Seconds of `manage.py migrate` to assume (--migration-seconds). */
    readonly migrationSeconds?: number;
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
    regions: Record<string, {
        start: number;
        finish: number;
        totalSeconds: number;
        components: { urn: string; name: string; type: string; start: number; finish: number }[];
        /** The chain that ends with the region's last operation (operations that take time). */
        criticalPath: TimelineEntry[];
    }>;
    goals: GoalCheck[];
    assumptions: Assumptions & { migrationSeconds?: number };
    notes: string[];
}

const BARRIER = "(creates, updates and replacements done)";
const nameOf = (urn: string) => urn.split("::").pop() ?? urn;
const urnOf = (ref?: string) => ref?.split("::").slice(0, -1).join("::");

interface NodeInfo {
    id: string;
    state: PlanState;
    op: Op;
    typical: Estimate;
    /** Done by the cloud on its own, holding no engine slot (ECR replication). */
    external?: boolean;
}

/** The plan as scheduler tasks (typical durations): what buildTimeline schedules. */
export function planTasks(doc: PlanDocument, opts: TimelineOptions = {}): TaskNode[] {
    const g = planGraph(doc, opts);
    return g.nodes.map((n) => ({ id: n.id, duration: n.typical.typical, deps: g.deps.get(n.id)!, external: n.external }));
}

function planGraph(doc: PlanDocument, opts: TimelineOptions) {
    const assumptions = opts.assumptions ?? DEFAULT_ASSUMPTIONS;
    const release = !!opts.changes;
    const states = statesOf(doc);
    const all = [...states.values()];
    const regions = regionNames(doc);
    const regionIn = regionFinder(all, regions);
    const region = new Map(all.map((s) => [s.urn, regionIn(s)]));

    const providerRegion = (s: PlanState) => {
        const p = states.get(urnOf(s.provider) ?? "");
        return typeof p?.inputs.region === "string" ? p.inputs.region : undefined;
    };
    const hpaFor = new Map<string, number>();
    for (const s of all) {
        if (s.type.startsWith("kubernetes:autoscaling/") && typeof (s.inputs as any).spec?.minReplicas === "number") {
            for (const d of s.dependencies) hpaFor.set(d, (s.inputs as any).spec.minReplicas);
        }
    }
    const ctx: DurationContext = {
        assumptions,
        regionOfProvider: providerRegion,
        hpaMinReplicas: (s) => hpaFor.get(s.urn),
        firstDeployment: !release,
        migrationSeconds: opts.migrationSeconds,
    };

    // Children of each component, to expand a dependency on a component to everything in it.
    const children = new Map<string, string[]>();
    for (const s of all) if (s.parent) children.set(s.parent, [...(children.get(s.parent) ?? []), s.urn]);
    const descendants = (urn: string): string[] => (children.get(urn) ?? []).flatMap((c) => [c, ...descendants(c)]);
    const ancestors = (urn: string): Set<string> => {
        const out = new Set<string>();
        for (let p = states.get(urn)?.parent; p && states.has(p); p = states.get(p)?.parent) out.add(p);
        return out;
    };

    const opOf = (urn: string): Op => (release ? (opts.changes!.get(urn)?.op ?? "same") : "create");
    const nodes: NodeInfo[] = [];
    const deps = new Map<string, string[]>();
    /** The node for ECR replicating `image`'s push to `target`, made once per image and region. */
    const replicationOf = (image: PlanState, target: string): string => {
        const id = `${image.urn} ECR replication to ${target}`;
        if (!deps.has(id)) {
            const { typical, high } = assumptions.ecrReplication;
            nodes.push({
                id, op: opOf(image.urn), external: true,
                state: { type: "(ECR replication)", urn: id, custom: false, inputs: {}, dependencies: [image.urn], protect: false, retainOnDelete: false },
                typical: { typical, high, basis: `ECR replication to ${target}`, source: "estimate: assumptions.ecrReplication (AWS gives no replication-time guarantee)", estimate: true },
            });
            deps.set(id, [image.urn]);
            region.set(id, target);
        }
        return id;
    };
    const imageRegion = (ref: unknown) => /\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com/.exec(String(ref ?? ""))?.[1];

    for (const s of all) {
        const op = opOf(s.urn);
        let est = durationOf(s, op, ctx);
        const own = new Set<string>();
        const mine = ancestors(s.urn);
        for (const d of s.dependencies) {
            if (!states.has(d)) continue;
            own.add(d);
            // Waiting for a component means waiting for everything in it (as the SDK expands it).
            if (!states.get(d)!.custom && !mine.has(d)) for (const x of descendants(d)) if (x !== s.urn && !mine.has(x)) own.add(x);
        }
        // A child registers only once its parent has (for a component: once its own dependencies are done).
        if (s.parent && states.has(s.parent)) own.add(s.parent);
        const provider = urnOf(s.provider);
        if (provider && states.has(provider)) own.add(provider);
        // A workload pulling an image from another region's registry also waits for ECR to
        // replicate the push there, which runs from the push on, alongside whatever else the
        // workload waits for (the primary's migration).
        if (est.typical > 0 && /^kubernetes:(apps|batch)\//.test(s.type)) {
            const pulls = JSON.stringify((s.inputs as any).spec?.template?.spec?.containers?.map((c: any) => c.image) ?? []);
            const target = imageRegion(pulls);
            const pushed = [...own].map((d) => states.get(d)!).find((d) => d.type === "docker:index/image:Image" && opOf(d.urn) !== "same"
                && imageRegion(d.inputs.imageName) && imageRegion(d.inputs.imageName) !== target);
            if (target && pushed) own.add(replicationOf(pushed, target));
        }
        if (op === "replace" && s.deleteBeforeReplace) {
            const del = durationOf(s, "delete", ctx);
            est = { ...est, typical: est.typical + del.typical, high: est.high + del.high, basis: `delete, then ${est.basis} (deleteBeforeReplace)` };
        }
        nodes.push({ id: s.urn, state: s, op, typical: est });
        deps.set(s.urn, [...own]);
    }

    // Deletions run after everything else, dependents first: removed resources, and the old half of
    // each replacement (unless deleteBeforeReplace already did it).
    const deleted: NodeInfo[] = [];
    if (release) {
        for (const c of opts.changes!.values()) {
            if (c.op === "delete" && c.old) deleted.push({ id: c.urn, state: c.old, op: "delete", typical: durationOf(c.old, "delete", ctx) });
            if (c.op === "replace" && c.old && !c.new?.deleteBeforeReplace) {
                deleted.push({ id: `${c.urn}#replaced`, state: c.old, op: "delete", typical: durationOf(c.old, "delete", ctx) });
            }
        }
    }
    if (deleted.length > 0) {
        nodes.push({ id: BARRIER, state: { type: "(phase)", urn: BARRIER, custom: false, inputs: {}, dependencies: [], protect: false, retainOnDelete: false }, op: "same", typical: { typical: 0, high: 0, basis: "", source: "", estimate: false } });
        deps.set(BARRIER, all.map((s) => s.urn));
        for (const d of deleted) {
            const after = deleted.filter((o) => o !== d && (o.state.dependencies.includes(d.state.urn) || o.state.parent === d.state.urn)).map((o) => o.id);
            deps.set(d.id, [BARRIER, ...after]);
            nodes.push(d);
            region.set(d.id, region.get(d.state.urn) ?? regionFinder([...all, ...deleted.map((x) => x.state)], regions)(d.state));
        }
    }

    return { nodes, deps, region, states, regions, assumptions, release };
}

/** Builds and schedules the timeline of a first deployment (no `changes`) or of a release. */
export function buildTimeline(doc: PlanDocument, opts: TimelineOptions = {}): TimelineResult {
    const parallel = opts.parallel ?? DEFAULT_PARALLEL;
    const { nodes, deps, region, states, regions, assumptions, release } = planGraph(doc, opts);
    const tasks = (pick: (e: Estimate) => number) => nodes.map((n) => ({ id: n.id, duration: pick(n.typical), deps: deps.get(n.id)!, external: n.external }));
    const limit = Number.isFinite(parallel) && parallel > 0 ? parallel : Infinity;
    const typical = schedule(tasks((e) => e.typical), limit);
    const high = schedule(tasks((e) => e.high), limit);
    const info = new Map(nodes.map((n) => [n.id, n]));

    const topOf = (urn: string): string => {
        let cur = states.get(urn);
        while (cur?.parent && states.get(cur.parent) && states.get(cur.parent)!.type !== "pulumi:pulumi:Stack") cur = states.get(cur.parent);
        return cur?.urn ?? urn;
    };
    const entry = (t: ScheduledTask): TimelineEntry => {
        const n = info.get(t.id)!;
        return {
            urn: n.state.urn, name: nameOf(n.state.urn), type: n.state.type, region: region.get(t.id) ?? "stack-wide", op: n.op,
            start: t.start, duration: t.duration, finish: t.finish, basis: n.typical.basis, source: n.typical.source, estimate: n.typical.estimate,
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
    const counted = (id: string, r: string) => !isDelete(id) || ![...typical.tasks.values()].some((o) => o.duration > 0 && !isDelete(o.id) && (region.get(o.id) ?? "stack-wide") === r);
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
        if (!comp) out.components.push(comp = { urn: top, name: nameOf(top), type: topState.type, start: t.start, finish: t.finish });
        comp.start = Math.min(comp.start, t.start);
        comp.finish = Math.max(comp.finish, t.finish);
    }
    const lastIn = (r: string) => [...typical.tasks.values()].filter((t) => (region.get(t.id) ?? "stack-wide") === r && t.duration > 0 && counted(t.id, r))
        .sort((a, b) => b.finish - a.finish)[0];
    for (const [name, r] of Object.entries(regionsOut)) {
        r.totalSeconds = overhead.typical + r.finish;
        r.components.sort((a, b) => a.start - b.start || a.finish - b.finish);
        const last = lastIn(name);
        r.criticalPath = last ? pathTo(typical.tasks, last.id).filter((t) => t.duration > 0).map(entry) : [];
    }

    const chainTo = (id: string) => pathTo(typical.tasks, id).filter((t) => t.duration > 0).map((t) => {
        const e = entry(t);
        return { urn: e.urn, name: e.name, type: e.type, start: e.start, duration: e.duration, basis: e.basis };
    });
    const goals: GoalCheck[] = [];
    const total = overhead.typical + typical.makespan;
    const lastId = typical.criticalPath.at(-1)?.id;
    goals.push({
        goal: `full ${regions.length > 1 ? "multi-region " : ""}${release ? "release" : "deployment"} < 30 min (seed 001)`,
        scope: "stack", limitSeconds: GOALS.fullDeploymentSeconds, modelSeconds: total, met: total <= GOALS.fullDeploymentSeconds,
        blockingChain: total <= GOALS.fullDeploymentSeconds || !lastId ? [] : chainTo(lastId),
    });
    if (release) {
        for (const r of regions.slice().sort()) {
            const rr = regionsOut[r];
            const model = overhead.typical + (rr?.finish ?? 0);
            const last = lastIn(r);
            goals.push({
                goal: "single-region release < 10 min (seed 001)", scope: r, limitSeconds: GOALS.regionReleaseSeconds, modelSeconds: model,
                met: model <= GOALS.regionReleaseSeconds, blockingChain: model <= GOALS.regionReleaseSeconds || !last ? [] : chainTo(last.id),
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

// ---- Rendering --------------------------------------------------------------------------------

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

const clip = (s: string, n: number) => (s.length <= n ? s.padEnd(n) : `${s.slice(0, n - 1)}…`);
const short = (type: string) => type.split(":").pop() ?? type;

export function renderTimeline(t: TimelineResult, notes: string[] = []): string {
    const W = 99;
    const lines: string[] = [];
    const what = t.mode === "first-deployment"
        ? `first deployment (every resource created: ${t.operations} operations that take time, ${t.nodes} nodes)`
        : `release against ${t.against} (only changed resources are deployed: ${t.operations} operations that take time)`;
    lines.push(`Deployment timeline for stack "${t.stack}": ${what}.`);
    lines.push(t.parallel === "unbounded"
        ? "Engine: unbounded parallelism (--parallel 0): the finish time is the longest path."
        : `Engine: up to ${t.parallel} resource operations at once (--parallel; \`pulumi up\` defaults to 4 x CPUs since pulumi/pulumi#15016).`);
    lines.push(`Modelled: ${humanTime(t.totalSeconds)} = ${humanTime(t.overheadSeconds)} engine overhead + ${humanTime(t.graphSeconds)} of resource operations.`);
    lines.push(`Pessimistic (every duration at the high end of its range): ${humanTime(t.pessimisticSeconds)}.`);

    lines.push("", "Critical path (times from the first resource operation):");
    lines.push(`  ${"start".padStart(7)} ${"takes".padStart(7)} ${"finish".padStart(7)}  ${"resource".padEnd(34)} type: basis`);
    for (const item of collapse(t.criticalPath.filter((e, i, a) => e.duration > 0 || i === a.length - 1))) {
        if ("run" in item) {
            const head = `  ${clock(item.start).padStart(7)} ${clock(item.finish - item.start).padStart(7)} ${clock(item.finish).padStart(7)}  `;
            lines.push(head + clip(`${item.run} short operations in a row (${item.slot} of them waited for a free slot)`, W - head.length).trimEnd());
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
    lines.push("", `Gantt (${barWidth} columns = ${humanTime(span)}; "=" a component from its first to its last operation, "#" the chain that ends the region last):`);
    for (const [r, info] of Object.entries(t.regions).sort(([a], [b]) => (a === "stack-wide" ? 1 : b === "stack-wide" ? -1 : a.localeCompare(b)))) {
        lines.push(`${r}: ${clock(info.start)} – ${clock(info.finish)} (with engine overhead: ${humanTime(info.totalSeconds)})`);
        const names = info.components.map((c) => c.name);
        for (const c of info.components) {
            const onPath = info.criticalPath.filter((e) => e.component === c.urn);
            const label = names.filter((n) => n === c.name).length > 1 ? `${c.name} (${short(c.type)})` : c.name;
            lines.push(`  ${clip(label, 36)} |${bar([[c.start, c.finish, "="], ...onPath.map((e) => [e.start, e.finish, "#"] as [number, number, string])])}| ${clock(c.finish)}`);
        }
        for (const e of info.criticalPath.filter((x) => x.region === r && x.duration >= span / barWidth)) {
            lines.push(`  ${clip(`* ${e.name}`, 36)} |${bar([[e.start, e.finish, "#"]])}| ${clock(e.finish)}`);
        }
    }

    lines.push("", "Goals:");
    for (const g of t.goals) {
        const scope = g.scope === "stack" ? "" : ` ${g.scope}`;
        lines.push(`  ${g.goal}${scope}: ${humanTime(g.modelSeconds)} ${g.met ? "<=" : ">"} ${humanTime(g.limitSeconds)}: ${g.met ? "met" : "NOT MET"}`);
        if (!g.met) {
            lines.push("    What prevents it (the chain that ends last; each step waits for the one before):");
            for (const s of collapse(g.blockingChain)) {
                if ("run" in s) {
                    lines.push(`      ${clock(s.start).padStart(7)} +${clock(s.finish - s.start).padStart(6)}  ${s.run} short operations in a row`);
                    continue;
                }
                lines.push(`      ${clock(s.start).padStart(7)} +${clock(s.duration).padStart(6)}  ${clip(s.name, 32)} ${clip(s.basis, W - 56).trimEnd()}`);
            }
            const top = [...g.blockingChain].sort((a, b) => b.duration - a.duration).slice(0, 3);
            lines.push(`    Largest steps: ${top.map((s) => `${s.name} ${humanTime(s.duration)}`).join(", ")}.`);
        }
    }
    lines.push("", ...t.notes, "Durations: automation/plan/durations.ts (sources per type; \"est.\" marks estimates).");
    for (const n of notes) lines.push(n);
    return lines.flatMap((l) => wrap(l, W)).join("\n") + "\n";
}


/** Runs of three or more consecutive operations under 30 s each, as one item. */
function collapse<T extends { start: number; duration: number; waitedFor?: { kind: string } }>(items: readonly T[]): (T | { run: number; slot: number; start: number; finish: number })[] {
    const out: (T | { run: number; slot: number; start: number; finish: number })[] = [];
    for (let i = 0; i < items.length;) {
        let j = i;
        while (j < items.length && items[j].duration < 30) j++;
        if (j - i >= 3) {
            const run = items.slice(i, j);
            out.push({ run: run.length, slot: run.filter((x) => x.waitedFor?.kind === "slot").length, start: run[0].start, finish: run[run.length - 1].start + run[run.length - 1].duration });
            i = j;
        } else {
            out.push(items[i]);
            i++;
        }
    }
    return out;
}
