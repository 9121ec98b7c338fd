import type { ResourceChange } from "./diff";
import { regionFinder, statesOf } from "./diff";
import { DEFAULT_ASSUMPTIONS, durationOf, type Assumptions, type DurationContext, type Estimate, type Op } from "./durations";
import type { PlanDocument, PlanState } from "./json";
import { regionNames } from "./render";
import type { TaskNode } from "./schedule";

/**
 * A plan as the deployment timeline's task graph (timeline.ts): a node per resource operation with
 * its duration (durations.ts) and what it waits for, as the engine orders them.
 */

export interface GraphOptions {
    /** Per-resource changes of a release (from diffPlans); absent: a first deployment. */
    readonly changes?: Map<string, ResourceChange>;
    readonly assumptions?: Assumptions;
    /** Seconds of `manage.py migrate` to assume (--migration-seconds). */
    readonly migrationSeconds?: number;
}

const BARRIER = "(creates, updates and replacements done)";
const urnOf = (ref?: string) => ref?.split("::").slice(0, -1).join("::");

export interface NodeInfo {
    id: string;
    state: PlanState;
    op: Op;
    typical: Estimate;
    /** Done by the cloud on its own, holding no engine slot (ECR replication). */
    external?: boolean;
}

/** The plan as scheduler tasks (typical durations): what buildTimeline schedules. */
export function planTasks(doc: PlanDocument, opts: GraphOptions = {}): TaskNode[] {
    const g = planGraph(doc, opts);
    return g.nodes.map((n) => ({ id: n.id, duration: n.typical.typical, deps: g.deps.get(n.id)!, external: n.external }));
}
/** The task graph of a plan: nodes with their estimates, what each waits for, and where each runs. */
export function planGraph(doc: PlanDocument, opts: GraphOptions) {
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
                id,
                op: opOf(image.urn),
                external: true,
                state: {
                    type: "(ECR replication)",
                    urn: id,
                    custom: false,
                    inputs: {},
                    dependencies: [image.urn],
                    protect: false,
                    retainOnDelete: false,
                },
                typical: {
                    typical,
                    high,
                    basis: `ECR replication to ${target}`,
                    source: "estimate: assumptions.ecrReplication (AWS gives no replication-time guarantee)",
                    estimate: true,
                },
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
            const pushed = [...own]
                .map((d) => states.get(d)!)
                .find(
                    (d) =>
                        d.type === "docker:index/image:Image" &&
                        opOf(d.urn) !== "same" &&
                        imageRegion(d.inputs.imageName) &&
                        imageRegion(d.inputs.imageName) !== target,
                );
            if (target && pushed) own.add(replicationOf(pushed, target));
        }
        if (op === "replace" && s.deleteBeforeReplace) {
            const del = durationOf(s, "delete", ctx);
            est = {
                ...est,
                typical: est.typical + del.typical,
                high: est.high + del.high,
                basis: `delete, then ${est.basis} (deleteBeforeReplace)`,
            };
        }
        nodes.push({ id: s.urn, state: s, op, typical: est });
        deps.set(s.urn, [...own]);
    }

    // Deletions run after everything else, dependents first: removed resources, and the old half of
    // each replacement (unless deleteBeforeReplace already did it).
    const deleted: NodeInfo[] = [];
    if (release) {
        for (const c of opts.changes!.values()) {
            if (c.op === "delete" && c.old)
                deleted.push({ id: c.urn, state: c.old, op: "delete", typical: durationOf(c.old, "delete", ctx) });
            if (c.op === "replace" && c.old && !c.new?.deleteBeforeReplace) {
                deleted.push({ id: `${c.urn}#replaced`, state: c.old, op: "delete", typical: durationOf(c.old, "delete", ctx) });
            }
        }
    }
    if (deleted.length > 0) {
        nodes.push({
            id: BARRIER,
            state: { type: "(phase)", urn: BARRIER, custom: false, inputs: {}, dependencies: [], protect: false, retainOnDelete: false },
            op: "same",
            typical: { typical: 0, high: 0, basis: "", source: "", estimate: false },
        });
        deps.set(
            BARRIER,
            all.map((s) => s.urn),
        );
        for (const d of deleted) {
            const after = deleted
                .filter((o) => o !== d && (o.state.dependencies.includes(d.state.urn) || o.state.parent === d.state.urn))
                .map((o) => o.id);
            deps.set(d.id, [BARRIER, ...after]);
            nodes.push(d);
            region.set(d.id, region.get(d.state.urn) ?? regionFinder([...all, ...deleted.map((x) => x.state)], regions)(d.state));
        }
    }

    return { nodes, deps, region, states, regions, assumptions, release };
}
