import type { ResourceChange } from "./diff";
import type { Assumptions, Estimate, Op } from "./durations";
import type { PlanDocument, PlanStep } from "./json";
import { pathTo, schedule, type ScheduledTask } from "./schedule";
import { planGraph, type GraphOptions, type NodeInfo } from "./task-graph";

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

/** Goals for a rollback, each as its source writes it. */
export const ROLLBACK_GOALS = {
    /** The project's goal for an aborted release: "≤ 1 min to stable traffic" (at most, inclusive). */
    stableTrafficSeconds: 60,
    /** Production Deployment Guide, "7.1 Immediate Rollback (< 5 minutes)": strictly less. */
    immediateRollbackSeconds: 5 * 60,
} as const;

/**
 * The deploy driver's smoke checks after an update (automation/deploy/verify.ts): Core's /health/,
 * a GraphQL query, each storefront, one after the other. Estimate: when every check passes at once,
 * a few seconds; the high value is the default retry budget (13 attempts, 10 s apart, 10 s timeout).
 */
export const DRIVER_VERIFICATION = { typical: 5, high: 13 * (10 + 10) } as const;

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
    /** The goal is "at most" (≤), not "less than". */
    inclusive?: boolean;
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
    /** A release only: the driver's rollback of one region to the release before (rollback.ts's model). */
    rollback?: RollbackModel;
}

export interface RegionRollback {
    /** Operations that take time in the rollback's `pulumi up` of this region. */
    operations: number;
    /**
     * Engine overhead + until the last Deployment behind the load balancer runs the previous release
     * and the last new pod is drained; at least the abort of any Rollout's canary (ROLLOUT_ABORT).
     */
    stableTrafficSeconds: number;
    /** The preStop drain the program sets on the Deployments behind the load balancer (seconds). */
    drainSeconds: number;
    /** The Rollouts (by name) whose traffic returns to stable by an abort, not by the rollback's update. */
    abortedRollouts: string[];
    /** Engine overhead + the whole `pulumi up` of the rollback (workers, Jobs, deletions). */
    updateSeconds: number;
    /** updateSeconds + the driver's verification (DRIVER_VERIFICATION, typical). */
    verifiedSeconds: number;
    /** Whether the rollback runs the migration Job again (its name follows the release). */
    migrationJobRuns: boolean;
    /** The chain of operations that ends with the last serving workload back on the previous release. */
    criticalPath: TimelineEntry[];
}

export interface RollbackModel {
    regions: Record<string, RegionRollback>;
    goals: GoalCheck[];
    /** One line: why the rollback goals are not met, when they are not. */
    why?: string;
    notes: string[];
}

const nameOf = (urn: string) => urn.split("::").pop() ?? urn;

/** A scheduled task as the timeline reports it; `component` defaults to the resource itself. */
function entryOf(n: NodeInfo, t: ScheduledTask, region: string | undefined, component: string | undefined): TimelineEntry {
    return {
        urn: n.state.urn,
        name: nameOf(n.state.urn),
        type: n.state.type,
        region: region ?? "stack-wide",
        op: n.op,
        start: t.start,
        duration: t.duration,
        finish: t.finish,
        basis: n.typical.basis,
        source: n.typical.source,
        estimate: n.typical.estimate,
        component: component ?? n.state.urn,
    };
}

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
            ...entryOf(n, t, region.get(t.id), states.has(n.state.urn) ? topOf(n.state.urn) : undefined),
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
    const changed = release && [...opts.changes!.values()].some((c) => c.op !== "same");
    const rollback = changed ? buildRollback(doc, opts.changes!, { ...opts, parallel: limit }, regions) : undefined;
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
        ...(rollback ? { rollback } : {}),
    };
}

/**
 * The plan the release replaces, rebuilt from the release's plan and its changes: what was created
 * is gone, what was updated, replaced or deleted is as it was.
 */
function previousPlan(doc: PlanDocument, changes: Map<string, ResourceChange>): PlanDocument {
    const steps: PlanStep[] = [];
    for (const step of doc.steps) {
        const c = changes.get(step.urn);
        if (c?.op === "create") continue;
        steps.push((c?.op === "update" || c?.op === "replace") && c.old ? { ...step, newState: c.old } : step);
    }
    for (const c of changes.values()) if (c.op === "delete" && c.old) steps.push({ op: "create", urn: c.urn, newState: c.old });
    return { ...doc, steps };
}

const reverse: Record<ResourceChange["op"], ResourceChange["op"]> = {
    create: "delete",
    delete: "create",
    update: "update",
    replace: "replace",
    same: "same",
};

/** An Argo Rollout: the API, the storefront and the Dashboard in every stack, released as canaries. */
const ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout";

/**
 * Time from an abort of a Rollout's canary (by its failed analysis, or `kubectl argo rollouts abort`)
 * to all new requests on the stable version. With ALB traffic routing "the stable ReplicaSet is left
 * scaled to 100% during the update. This has the advantage that if an abort occurs, traffic can be
 * immediately shifted back to the stable ReplicaSet without delay" (argo-rollouts
 * docs/features/canary/index.md, "Dynamic Stable Scale"; the program sets no dynamicStableScale):
 * no pod starts, the Rollout controller writes the Ingress action back to 100% stable and the AWS
 * Load Balancer Controller modifies the listener rule (in dev: the canary Ingress's `canary-weight` back to 0,
 * which ingress-nginx applies; not measured here). Estimate: both controllers reconcile within
 * seconds; the high value allows a queued reconcile and a throttled ELB API.
 */
export const ROLLOUT_ABORT = { typical: 10, high: 60 } as const;

/**
 * A workload behind a load balancer (a Deployment, or a Rollout): one of its containers' readiness
 * is probed over the network (HTTP: the API, the Dashboard; TCP: the storefront). Workers and beat
 * probe with a command.
 */
const serves = (e: { type: string }, states: Map<string, { inputs: Record<string, unknown> }>, urn: string) =>
    (e.type === "kubernetes:apps/v1:Deployment" || e.type === ROLLOUT) &&
    containers(states.get(urn)?.inputs).some((c) => c.readinessProbe?.httpGet !== undefined || c.readinessProbe?.tcpSocket !== undefined);
const containers = (i: Record<string, any> | undefined): Record<string, any>[] => i?.spec?.template?.spec?.containers ?? [];
/** The preStop `sleep <n>` the program gives a serving container (components/kubernetes/workload.ts preStopSleep). */
const drainOf = (i: Record<string, any> | undefined): number =>
    Math.max(
        0,
        ...containers(i).map((c) => {
            const cmd = c.lifecycle?.preStop?.exec?.command;
            return Array.isArray(cmd) && cmd[0] === "sleep" ? Number(cmd[1]) || 0 : 0;
        }),
    );

/**
 * The deploy driver's rollback of one region (automation/deploy/rollout.ts): the other regions are
 * pinned, and a `pulumi up` with the previous release puts back, in that region (and stack-wide),
 * every resource the release changed; then the same smoke checks. Nothing reverses a migration.
 */
function buildRollback(
    doc: PlanDocument,
    changes: Map<string, ResourceChange>,
    opts: GraphOptions & { parallel: number },
    regions: string[],
): RollbackModel {
    const previous = previousPlan(doc, changes);
    const out: RollbackModel = { regions: {}, goals: [], notes: [] };
    for (const r of regions.slice().sort()) {
        const back = new Map<string, ResourceChange>();
        for (const c of changes.values()) {
            if (c.op === "same" || (regions.includes(c.region) && c.region !== r)) continue;
            // A release plan made from a stack file that names no saleor:previousRelease removes the
            // previous release's pre-migration snapshot; the driver names it for the release
            // (rollout.ts previousReleaseWith), so the snapshot is still there when it rolls back.
            if (c.op === "delete" && c.type === "aws:rds/snapshot:Snapshot") continue;
            back.set(c.urn, { ...c, op: reverse[c.op], old: c.new, new: c.old });
        }
        const g = planGraph(previous, { ...opts, changes: back });
        const s = schedule(
            g.nodes.map((n) => ({ id: n.id, duration: n.typical.typical, deps: g.deps.get(n.id)!, external: n.external })),
            opts.parallel,
        );
        const info = new Map(g.nodes.map((n) => [n.id, n]));
        const entry = (t: ScheduledTask): TimelineEntry => entryOf(info.get(t.id)!, t, g.region.get(t.id), undefined);
        const serving = [...s.tasks.values()].filter(
            (t) => t.duration > 0 && g.region.get(t.id) === r && serves(info.get(t.id)!.state, g.states, t.id),
        );
        const overhead = g.assumptions.engineOverhead.typical;
        // A Rollout's stable pods still run: aborting its canary flips the ALB weights back, without
        // waiting for the driver's `pulumi up` (which then returns its spec to the stable template:
        // "moving back to the canary's stable ReplicaSet, and the upgrade had not yet completed" skips
        // the steps, argo-rollouts docs/features/rollback.md). A Deployment's previous pods are gone:
        // its traffic is stable once the `pulumi up` has rolled it back and the new pods drained.
        const aborted = serving.filter((t) => info.get(t.id)!.state.type === ROLLOUT);
        const rolled = serving.filter((t) => info.get(t.id)!.state.type !== ROLLOUT);
        const last = rolled.sort((a, b) => b.finish - a.finish)[0];
        const drain = Math.max(0, ...rolled.map((t) => drainOf(g.states.get(t.id)?.inputs)));
        const stable = Math.max(last ? overhead + last.finish + drain : 0, aborted.length ? ROLLOUT_ABORT.typical : 0);
        const update = overhead + s.makespan;
        out.regions[r] = {
            operations: g.nodes.filter((n) => n.typical.typical > 0 && !n.external).length,
            stableTrafficSeconds: stable,
            drainSeconds: drain,
            abortedRollouts: aborted.map((t) => info.get(t.id)!.state.urn.split("::").pop()!).sort(),
            updateSeconds: update,
            verifiedSeconds: update + DRIVER_VERIFICATION.typical,
            migrationJobRuns: g.nodes.some(
                (n) => n.op !== "delete" && n.typical.typical > 0 && g.region.get(n.id) === r && /^migration Job/.test(n.typical.basis),
            ),
            criticalPath: last
                ? pathTo(s.tasks, last.id)
                      .filter((t) => t.duration > 0)
                      .map(entry)
                : [],
        };
        const chain = () =>
            out.regions[r].criticalPath.map((e) => ({
                urn: e.urn,
                name: e.name,
                type: e.type,
                start: e.start,
                duration: e.duration,
                basis: e.basis,
            }));
        const within = stable <= ROLLBACK_GOALS.stableTrafficSeconds;
        out.goals.push({
            goal: "rollback: stable traffic <= 1 min (the project's goal for an aborted release)",
            scope: r,
            limitSeconds: ROLLBACK_GOALS.stableTrafficSeconds,
            modelSeconds: stable,
            // "≤ 1 min": at most, inclusive.
            met: within,
            inclusive: true,
            blockingChain: within ? [] : chain(),
        });
        const immediate = stable < ROLLBACK_GOALS.immediateRollbackSeconds;
        out.goals.push({
            goal: 'rollback: "Immediate Rollback (< 5 minutes)" (the Production Deployment Guide)',
            scope: r,
            limitSeconds: ROLLBACK_GOALS.immediateRollbackSeconds,
            modelSeconds: stable,
            met: immediate,
            blockingChain: immediate ? [] : chain(),
        });
    }
    if (out.goals.some((g) => !g.met)) {
        out.why =
            "A rollback of a Deployment is a full rolling update of the previous image (new pods pulled, started and ready, old ones drained) by a new `pulumi up`, not a switch of traffic back to a stable version that still runs; only Rollouts (canaries) switch back by an abort.";
    }
    out.notes.push(
        "Rollback: the driver's `pulumi up` of the previous release in the failed region (the others pinned), from its start; stable traffic = the last workload behind the load balancer back on the previous release and the last new pod drained (its preStop sleep).",
        "A Rollout (the API, the storefront and the Dashboard) counts from its canary's abort: the ALB weights (dev: the nginx canary weight) return to the stable pods, which never stopped (ROLLOUT_ABORT); the driver's `pulumi up` of the previous release follows and skips the canary's steps.",
        "Not in it: detecting the failure (the driver's verification retries for up to its budget before it rolls back) and reversing migrations (Saleor's are not reversed; restoring the release's snapshot is a runbook step).",
    );
    return out;
}
