/**
 * The scheduler of the deployment timeline (timeline.ts): plain tasks with durations and
 * dependencies, scheduled the way the engine runs resource operations.
 *
 * The engine (`pulumi up`) starts every resource operation whose dependencies are done, up to
 * `--parallel` at once. Since pulumi/pulumi#15016 (Jan 2024) the default is 4 × the number of
 * CPUs (before, unbounded), so a 2-vCPU runner runs 8 at once and a 4-vCPU runner 16. With no
 * bound the finish time is the longest path; with a bound, a list-scheduling simulation (ready
 * operations start in the order they became ready) gives it.
 */

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
            const last = n.deps
                .map((d) => done.get(d)!)
                .filter((d) => d.finish === depFinish)
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
    const last = all
        .filter((t) => t.finish === makespan)
        .sort((a, b) => b.duration - a.duration || byId.get(b.id)!.i - byId.get(a.id)!.i)[0];
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
