import { destroysState } from "../stateful";
import type { EngineEvent } from "./stack";

// Turns the engine's event stream into what the driver decides on (policy findings,
// destructive steps on stateful resources, change counts) and into one progress line
// per resource step, so CI logs stay readable for a stack of a few hundred resources.

export interface PolicyFinding {
    policyPack: string;
    policy: string;
    /** As the engine reports it; anything but "mandatory" does not block. */
    enforcementLevel: string;
    urn?: string;
    message: string;
}

export interface StatefulChange {
    op: string;
    type: string;
    urn: string;
}

export interface OperationReport {
    /** Steps per operation, as in `pulumi preview`'s own summary. */
    changes: Record<string, number>;
    mandatory: PolicyFinding[];
    advisory: PolicyFinding[];
    statefulChanges: StatefulChange[];
    /** Error diagnostics, kept whole: they are what explains a failed operation. */
    errors: string[];
    /** Every resource the operation planned a step for (a preview's plan of what the update will do). */
    planned: { urn: string; type: string; op: string }[];
    /** The names of the resources whose step failed or that reported an error. */
    failed: string[];
}

export type Phase = "preview" | "up";

const OP_SYMBOL: Record<string, string> = {
    create: "+",
    update: "~",
    delete: "-",
    replace: "+-",
    "create-replacement": "++",
    "delete-replaced": "--",
    read: ">",
    refresh: "~",
    import: "=",
};

export function resourceName(urn: string): string {
    const i = urn.lastIndexOf("::");
    return i >= 0 ? urn.slice(i + 2) : urn;
}

function firstLine(text: string): string {
    return text.trim().split("\n")[0].trim();
}

// Changes first, in the order `pulumi preview` lists them; unchanged resources last.
const OP_ORDER = ["create", "update", "replace", "create-replacement", "delete-replaced", "delete", "read", "import", "refresh", "same"];

function opRank(op: string): number {
    const i = OP_ORDER.indexOf(op);
    return i < 0 ? OP_ORDER.length - 1 : i;
}

export function formatChanges(changes: Record<string, number>): string {
    const entries = Object.entries(changes)
        .filter(([, n]) => n > 0)
        .sort(([a], [b]) => opRank(a) - opRank(b));
    return entries.length === 0 ? "no steps" : entries.map(([op, n]) => `${op} ${n}`).join(", ");
}

export class EventRecorder {
    private readonly counted: Record<string, number> = {};
    private engineSummary?: Record<string, number>;
    private readonly findings = new Map<string, PolicyFinding>();
    private readonly stateful = new Map<string, StatefulChange>();
    private readonly errors: string[] = [];
    private readonly planned: { urn: string; type: string; op: string }[] = [];
    private readonly failed = new Set<string>();

    constructor(
        private readonly phase: Phase,
        private readonly label: string,
        private readonly log: (line: string) => void,
    ) {}

    readonly handle = (event: EngineEvent): void => {
        if (event.resourcePreEvent) {
            const m = event.resourcePreEvent.metadata;
            this.counted[m.op] = (this.counted[m.op] ?? 0) + 1;
            this.planned.push({ urn: m.urn, type: m.type, op: m.op });
            this.noteStateful(m.op, m.type, m.urn);
            if (this.phase === "preview") {
                this.step(m.op, m.type, m.urn);
            }
        }
        if (event.resOutputsEvent) {
            const m = event.resOutputsEvent.metadata;
            this.noteStateful(m.op, m.type, m.urn);
            if (this.phase === "up") {
                this.step(m.op, m.type, m.urn);
            }
        }
        if (event.resOpFailedEvent) {
            const m = event.resOpFailedEvent.metadata;
            this.failed.add(resourceName(m.urn));
            this.log(`  [${this.label}] ✗ ${m.op} failed  ${m.type}  ${resourceName(m.urn)}`);
        }
        if (event.policyEvent) {
            this.notePolicy(event.policyEvent);
        }
        if (event.diagnosticEvent?.severity === "error") {
            const d = event.diagnosticEvent;
            this.errors.push(d.message.trim());
            if (d.urn) this.failed.add(resourceName(d.urn));
            const where = d.urn ? ` ${resourceName(d.urn)}:` : "";
            this.log(`  [${this.label}] error${where} ${firstLine(d.message)}`);
        }
        if (event.summaryEvent) {
            this.engineSummary = { ...(event.summaryEvent.resourceChanges as Record<string, number>) };
        }
    };

    report(): OperationReport {
        const findings = [...this.findings.values()];
        return {
            // The engine's own summary is authoritative (it is what the CLI prints); the
            // count of step events only stands in when the operation died before it.
            changes: this.engineSummary ?? { ...this.counted },
            mandatory: findings.filter((f) => f.enforcementLevel === "mandatory"),
            advisory: findings.filter((f) => f.enforcementLevel !== "mandatory"),
            statefulChanges: [...this.stateful.values()],
            errors: [...this.errors],
            planned: [...this.planned],
            failed: [...this.failed],
        };
    }

    private step(op: string, type: string, urn: string): void {
        if (op === "same") {
            return;
        }
        const symbol = OP_SYMBOL[op] ?? "*";
        this.log(`  [${this.label}] ${symbol.padEnd(2)} ${op.padEnd(8)} ${type}  ${resourceName(urn)}`);
    }

    private noteStateful(op: string, type: string, urn: string): void {
        if (destroysState(op, type)) {
            this.stateful.set(`${op} ${urn}`, { op, type, urn });
        }
    }

    private notePolicy(p: NonNullable<EngineEvent["policyEvent"]>): void {
        const finding: PolicyFinding = {
            policyPack: p.policyPackName,
            policy: p.policyName,
            enforcementLevel: p.enforcementLevel,
            urn: p.resourceUrn || undefined,
            message: p.message.trim(),
        };
        const key = JSON.stringify([finding.policyPack, finding.policy, finding.urn, finding.message]);
        if (this.findings.has(key)) {
            return;
        }
        this.findings.set(key, finding);
        // The preview already listed the advisory findings; an update only repeats them.
        if (this.phase === "up" && finding.enforcementLevel !== "mandatory") {
            return;
        }
        const where = finding.urn ? ` ${resourceName(finding.urn)}:` : "";
        this.log(
            `  [${this.label}] policy ${finding.enforcementLevel} ${finding.policyPack}/${finding.policy}${where} ${firstLine(finding.message)}`,
        );
    }
}
