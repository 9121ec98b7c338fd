import type { OpType } from "@pulumi/pulumi/automation";
import type { ConfigSource } from "../../../config/load";
import type { FailoverStack, RegionProbe, Role, StateResource, TargetedOperationOptions } from "../failover-stack";
import type { EngineEvent, PendingOperation } from "../stack";
import { lockConflict } from "./stack";

// In-memory stack for the failover's tests. It holds a checkpoint of the resources a regional
// failover moves, and `up` reconciles it with what the program declares for the roles in config,
// as the engine does: only resources matching the targets (Pulumi's URN globs), an aliased standby
// updated in place as the writer (dropping replicateSourceDb promotes it), a `protect`ed resource
// never deleted, `retainOnDelete` forgetting instead of deleting, and an RDS instance with
// deletion protection refused deletion the way RDS refuses it. Stack outputs move only with an
// update that targets nothing (the root stack resource is not among a targeted update's resources;
// an update with --exclude alone keeps it, as its URN matches no region's glob). A region in `down`
// does not answer: every preview or update that selects one of its resources fails with the
// network error of the AWS SDK before any change, as the provider of that region cannot reach it.

const PROJECT = "saleor";
const RDS = "aws:rds/instance:Instance";

interface Declared {
    name: string;
    type: string;
    parent: string;
    protect: boolean;
    retainOnDelete: boolean;
    outputs: Record<string, unknown>;
    /** Logical names this resource was known by before (Pulumi aliases). */
    aliases?: string[];
}

export type FailoverCall =
    | { kind: "preview" | "up"; target?: string[]; exclude?: string[]; excludeDependents?: boolean }
    | { kind: "unprotect"; urn: string }
    | { kind: "forget"; urn: string }
    | { kind: "setRegionRoles"; roles: Record<string, Role> }
    | { kind: "setConfigPath"; path: string; value: boolean | undefined };

export interface FailoverScenario {
    /** Error text when this `up` should fail (called with the 0-based number of the up and its options). */
    failUp?: (n: number, options: { target?: string[]; exclude?: string[] }) => string | undefined;
    /** Called as each `up` runs (tests move their clock here: an update takes time). */
    duringUp?: (n: number, options: { target?: string[]; exclude?: string[] }) => void;
    /** This `up` never ends (the process running it is killed while it runs). */
    hangUp?: (n: number, options: { target?: string[]; exclude?: string[] }) => boolean;
    /** Another update holds the stack's lock. */
    locked?: boolean;
    pending?: PendingOperation[];
    /** The driver's keys in the stack file (saleor:releaseWindows, saleor:releaseWebhookUrl...), as values. */
    settings?: Record<string, unknown>;
    /** Keys of `settings` set with `pulumi config set --secret`. */
    secretSettings?: string[];
}

/** Pulumi's target matcher (pkg/resource/deploy: UrnTargets): `**` any text, `*` any text without a colon. */
export function urnGlobMatches(glob: string, urn: string): boolean {
    const quote = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const source = glob
        .split("**")
        .map((segment) => segment.split("*").map(quote).join("[^:]*"))
        .join(".*");
    return new RegExp(`^${source}$`).test(urn);
}

export class FakeFailoverStack implements FailoverStack {
    readonly calls: FailoverCall[] = [];
    /** The checkpoint, by logical name. */
    readonly state = new Map<string, StateResource>();
    /** `saleor:regions` in the stack file, in its order. */
    regions: { name: string; role: Role }[];
    /** `saleor:data.aws.postgres.deletionProtection` when the stack file sets it. */
    deletionProtection?: boolean;
    /** Regions whose AWS endpoints do not answer (a regional outage). */
    readonly down = new Set<string>();
    /** Resources the engine deleted, by logical name (forgetting is not deleting). */
    readonly deleted: string[] = [];
    private stackOutputs: Record<string, unknown>;
    private ups = 0;
    private sequence = 0;

    constructor(
        readonly name: "staging" | "production",
        regions: { name: string; role: Role }[],
        readonly scenario: FailoverScenario = {},
    ) {
        this.regions = structuredClone(regions);
        for (const d of this.declared()) this.state.set(d.name, this.toState(d));
        this.stackOutputs = this.computedOutputs();
    }

    private get production(): boolean {
        return this.name === "production";
    }

    /** What the program declares for the roles in config (only the resources a failover moves). */
    private declared(): Declared[] {
        const dp = this.deletionProtection ?? this.production;
        const primary = this.regions.find((r) => r.role === "primary")!.name;
        const writerArn = `arn:aws:rds:${primary}:123456789012:db:${primary}-data-postgres-writer`;
        const out: Declared[] = [];
        for (const r of this.regions) {
            const rds = (name: string, outputs: Record<string, unknown>, extra: Partial<Declared> = {}): Declared => ({
                name,
                type: RDS,
                parent: "saleor:data:DataTier",
                protect: this.production,
                retainOnDelete: false,
                outputs: { deletionProtection: dp, identifier: name, ...outputs },
                ...extra,
            });
            const k8s = (name: string, type: string): Declared => ({
                name,
                type,
                parent: "saleor:core:SaleorCore",
                protect: false,
                retainOnDelete: false,
                outputs: {},
            });
            if (r.role === "primary") {
                out.push(
                    rds(
                        `${r.name}-data-postgres-writer`,
                        {},
                        { retainOnDelete: this.production, aliases: [`${r.name}-data-postgres-standby`] },
                    ),
                );
                if (this.production) out.push(rds(`${r.name}-data-postgres-reader`, { replicateSourceDb: writerArn }));
                out.push(
                    k8s(`${r.name}-core-migrate`, "kubernetes:batch/v1:Job"),
                    k8s(`${r.name}-core-beat`, "kubernetes:apps/v1:Deployment"),
                );
            } else {
                out.push(rds(`${r.name}-data-postgres-standby`, { replicateSourceDb: writerArn }));
            }
            out.push(k8s(`${r.name}-core-api`, "kubernetes:apps/v1:Deployment"));
        }
        return out;
    }

    private urnOf(d: Pick<Declared, "name" | "type" | "parent">): string {
        return `urn:pulumi:${this.name}::${PROJECT}::${d.parent}$${d.type}::${d.name}`;
    }

    private toState(d: Declared): StateResource {
        return {
            urn: this.urnOf(d),
            type: d.type,
            protect: d.protect,
            retainOnDelete: d.retainOnDelete,
            outputs: structuredClone(d.outputs),
        };
    }

    private computedOutputs(): Record<string, unknown> {
        return {
            environment: this.name,
            primaryRegion: this.regions.find((r) => r.role === "primary")?.name,
            regions: Object.fromEntries(this.regions.map((r) => [r.name, { role: r.role }])),
        };
    }

    async stackConfig(): Promise<ConfigSource> {
        const raw: Record<string, string> = Object.fromEntries(
            Object.entries(this.scenario.settings ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
        );
        raw.regions = JSON.stringify(this.regions);
        if (this.deletionProtection !== undefined)
            raw.data = JSON.stringify({ aws: { postgres: { deletionProtection: this.deletionProtection } } });
        const secret = this.scenario.secretSettings ?? [];
        return { get: (k) => raw[k], isSecret: (k) => secret.includes(k), keys: () => Object.keys(raw) };
    }

    async outputs(): Promise<Record<string, unknown>> {
        return structuredClone(this.stackOutputs);
    }

    async resources(): Promise<StateResource[]> {
        return structuredClone([...this.state.values()]);
    }

    async pendingOperations(): Promise<PendingOperation[]> {
        return structuredClone(this.scenario.pending ?? []);
    }

    async setRegionRoles(roles: Record<string, Role>): Promise<void> {
        this.calls.push({ kind: "setRegionRoles", roles: { ...roles } });
        this.regions = this.regions.map((r) => ({ ...r, role: roles[r.name] ?? r.role }));
    }

    async setConfigPath(path: string, value: boolean | undefined): Promise<void> {
        this.calls.push({ kind: "setConfigPath", path, value });
        if (path !== "data.aws.postgres.deletionProtection") throw new Error(`the fake stack knows no config path ${path}`);
        this.deletionProtection = value;
    }

    async unprotect(urn: string): Promise<void> {
        this.calls.push({ kind: "unprotect", urn });
        const entry = [...this.state.values()].find((r) => r.urn === urn);
        if (!entry) throw new Error(`code: 255\n stdout: \n stderr: error: No such resource "${urn}" exists in the current state\n`);
        entry.protect = false;
    }

    async forget(urn: string): Promise<void> {
        this.calls.push({ kind: "forget", urn });
        const entry = [...this.state.entries()].find(([, r]) => r.urn === urn);
        if (!entry) throw new Error(`code: 255\n stdout: \n stderr: error: No such resource "${urn}" exists in the current state\n`);
        this.state.delete(entry[0]);
    }

    async probeRegion(region: string): Promise<RegionProbe> {
        return this.down.has(region)
            ? { reachable: false, detail: `rds.${region}.amazonaws.com: connect ETIMEDOUT` }
            : { reachable: true, detail: `rds.${region}.amazonaws.com answered HTTP 403` };
    }

    /** The network error of an operation that selects a resource of a region that is down. */
    private unreachable(target?: string[], exclude?: string[]): string | undefined {
        const selected = (urn: string) =>
            (!target || target.some((g) => urnGlobMatches(g, urn))) && !(exclude ?? []).some((g) => urnGlobMatches(g, urn));
        const urns = [...this.declared().map((d) => this.urnOf(d)), ...[...this.state.values()].map((r) => r.urn)];
        const region = [...this.down].find((r) => urns.some((u) => selected(u) && u.slice(u.lastIndexOf("::") + 2).startsWith(`${r}-`)));
        if (!region) return undefined;
        return (
            `operation error RDS: DescribeDBInstances, https response error StatusCode: 0, RequestID: , request send failed, ` +
            `Post "https://rds.${region}.amazonaws.com/": dial tcp: lookup rds.${region}.amazonaws.com: i/o timeout`
        );
    }

    async preview({ onEvent, target, exclude }: TargetedOperationOptions): Promise<void> {
        this.calls.push({ kind: "preview", target, exclude });
        if (this.scenario.locked) throw lockConflict(this.name);
        const down = this.unreachable(target, exclude);
        if (down) {
            onEvent(this.event({ diagnosticEvent: { message: down, color: "never", severity: "error" } }));
            throw new Error(`code: 255\n stdout: \n stderr: error: preview failed\n${down}\n`);
        }
        onEvent(this.event({ summaryEvent: { maybeCorrupt: false, durationSeconds: 0, resourceChanges: {}, policyPacks: {} } }));
    }

    async up({ onEvent, target, exclude, excludeDependents }: TargetedOperationOptions): Promise<void> {
        // Nothing in this model waits for a beat Deployment, so excludeDependents adds nothing here.
        this.calls.push({ kind: "up", target, exclude, ...(excludeDependents ? { excludeDependents } : {}) });
        if (this.scenario.locked) throw lockConflict(this.name);
        const n = this.ups++;
        const selected = (urn: string) =>
            (!target || target.some((g) => urnGlobMatches(g, urn))) && !(exclude ?? []).some((g) => urnGlobMatches(g, urn));
        const changes: Partial<Record<OpType, number>> = {};
        const step = (op: OpType, urn: string, type: string) => {
            changes[op] = (changes[op] ?? 0) + 1;
            const metadata = { op, urn, type, provider: "" };
            onEvent(this.event({ resourcePreEvent: { metadata } }));
            onEvent(this.event({ resOutputsEvent: { metadata } }));
        };
        const fail = (message: string, urn?: string): never => {
            onEvent(this.event({ diagnosticEvent: { urn, message, color: "never", severity: "error" } }));
            onEvent(this.event({ summaryEvent: { maybeCorrupt: false, durationSeconds: 0, resourceChanges: changes, policyPacks: {} } }));
            throw new Error(`code: 255\n stdout: \n stderr: error: update failed\n${message}\n`);
        };
        this.scenario.duringUp?.(n, { target, exclude });
        if (this.scenario.hangUp?.(n, { target, exclude })) await new Promise<never>(() => undefined);
        const injected = this.scenario.failUp?.(n, { target, exclude }) ?? this.unreachable(target, exclude);
        if (injected) fail(injected);

        const declared = this.declared();
        for (const d of declared) {
            const urn = this.urnOf(d);
            if (!selected(urn)) continue;
            const alias = (d.aliases ?? []).find((a) => this.state.has(a) && !this.state.has(d.name));
            const existing = this.state.get(d.name) ?? (alias ? this.state.get(alias) : undefined);
            if (alias) this.state.delete(alias);
            const next = this.toState(d);
            if (!existing) {
                step("create", urn, d.type);
            } else {
                const changed = JSON.stringify(existing.outputs) !== JSON.stringify(next.outputs) || existing.urn !== urn;
                step(changed ? "update" : "same", urn, d.type);
            }
            this.state.set(d.name, next);
        }
        const wanted = new Set(declared.map((d) => d.name));
        for (const [name, r] of [...this.state.entries()]) {
            if (wanted.has(name) || !selected(r.urn)) continue;
            if (r.protect) {
                fail(
                    `unable to delete resource "${r.urn}"\nas it is currently marked for protection. To unprotect the resource, ` +
                        `remove the \`protect\` flag from the resource in your Pulumi program and run \`pulumi up\`, or use the command:\n\`pulumi state unprotect '${r.urn}'\``,
                    r.urn,
                );
            }
            if (!r.retainOnDelete && r.type === RDS && r.outputs.deletionProtection === true) {
                fail(
                    `deleting urn:${name}: deleting RDS DB Instance (${name}): operation error RDS: DeleteDBInstance, ` +
                        `api error InvalidParameterCombination: Cannot delete protected DB Instance, please disable deletion protection and try again.`,
                    r.urn,
                );
            }
            step("delete", r.urn, r.type);
            this.state.delete(name);
            this.deleted.push(name);
        }
        if (!target) this.stackOutputs = this.computedOutputs();
        onEvent(this.event({ summaryEvent: { maybeCorrupt: false, durationSeconds: 0, resourceChanges: changes, policyPacks: {} } }));
    }

    private event(fields: Omit<EngineEvent, "sequence" | "timestamp">): EngineEvent {
        return { sequence: this.sequence++, timestamp: 0, ...fields };
    }
}
