import { strict as assert } from "node:assert";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { EventRecorder, formatChanges } from "../../../automation/deploy/events";

// Engine events as the Automation API delivers them (typed by @pulumi/pulumi/automation).

let sequence = 0;
function event(fields: Omit<EngineEvent, "sequence" | "timestamp">): EngineEvent {
    return { sequence: sequence++, timestamp: 0, ...fields };
}

function step(op: "create" | "update" | "same" | "replace" | "create-replacement" | "delete-replaced", type: string, name: string) {
    return { metadata: { op, type, urn: `urn:pulumi:staging::saleor::${type}::${name}`, provider: "" } };
}

const policy = {
    color: "never",
    policyPackName: "saleor-guard",
    policyPackVersion: "0.1.0",
    policyPackVersionTag: "0.1.0",
};

describe("deploy: reading engine events", () => {
    it("counts changes from the engine's own summary when it arrives, from the step events when it does not", () => {
        const withSummary = new EventRecorder("preview", "p", () => undefined);
        withSummary.handle(event({ resourcePreEvent: step("create-replacement", "aws:rds/instance:Instance", "db") }));
        withSummary.handle(event({ resourcePreEvent: step("replace", "aws:rds/instance:Instance", "db") }));
        withSummary.handle(
            event({ summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: { replace: 1, same: 9 }, policyPacks: {} } }),
        );
        assert.deepEqual(withSummary.report().changes, { replace: 1, same: 9 });

        const cutShort = new EventRecorder("preview", "p", () => undefined);
        cutShort.handle(event({ resourcePreEvent: step("update", "kubernetes:apps/v1:Deployment", "api") }));
        cutShort.handle(event({ resourcePreEvent: step("same", "aws:rds/instance:Instance", "db") }));
        assert.deepEqual(cutShort.report().changes, { update: 1, same: 1 });
    });

    it("notes a destructive step on a stateful resource once, from either the pre or the outputs event", () => {
        const r = new EventRecorder("preview", "p", () => undefined);
        r.handle(event({ resourcePreEvent: step("replace", "aws:rds/instance:Instance", "db") }));
        r.handle(event({ resOutputsEvent: step("replace", "aws:rds/instance:Instance", "db") }));
        r.handle(event({ resourcePreEvent: step("replace", "kubernetes:batch/v1:Job", "migrate") }));
        assert.deepEqual(r.report().statefulChanges, [
            { op: "replace", type: "aws:rds/instance:Instance", urn: "urn:pulumi:staging::saleor::aws:rds/instance:Instance::db" },
        ]);
    });

    it("splits policy findings by enforcement level and lists a repeated finding once", () => {
        const lines: string[] = [];
        const r = new EventRecorder("preview", "p", (l) => lines.push(l));
        const mandatory = {
            ...policy,
            policyName: "rds-encrypted",
            enforcementLevel: "mandatory" as const,
            message: "must be encrypted\ndetails",
            resourceUrn: "urn:pulumi:staging::saleor::aws:rds/instance:Instance::db",
        };
        r.handle(event({ policyEvent: mandatory }));
        r.handle(event({ policyEvent: mandatory }));
        r.handle(event({ policyEvent: { ...policy, policyName: "replicas", enforcementLevel: "warning", message: "only one replica" } }));
        const report = r.report();
        assert.equal(report.mandatory.length, 1);
        assert.equal(report.advisory.length, 1);
        assert.deepEqual(lines, [
            "  [p] policy mandatory saleor-guard/rds-encrypted db: must be encrypted",
            "  [p] policy warning saleor-guard/replicas only one replica",
        ]);
    });

    it("prints one line per resource step: previews at the step's start, updates when it is done", () => {
        const lines: string[] = [];
        const preview = new EventRecorder("preview", "p", (l) => lines.push(l));
        preview.handle(event({ resourcePreEvent: step("update", "kubernetes:apps/v1:Deployment", "api") }));
        preview.handle(event({ resOutputsEvent: step("update", "kubernetes:apps/v1:Deployment", "api") }));
        const up = new EventRecorder("up", "u", (l) => lines.push(l));
        up.handle(event({ resourcePreEvent: step("update", "kubernetes:apps/v1:Deployment", "api") }));
        up.handle(event({ resOutputsEvent: step("update", "kubernetes:apps/v1:Deployment", "api") }));
        up.handle(event({ resOutputsEvent: step("same", "aws:rds/instance:Instance", "db") }));
        assert.deepEqual(lines, [
            "  [p] ~  update   kubernetes:apps/v1:Deployment  api",
            "  [u] ~  update   kubernetes:apps/v1:Deployment  api",
        ]);
    });

    it("keeps error diagnostics whole for the classifier and prints their first line", () => {
        const lines: string[] = [];
        const r = new EventRecorder("up", "u", (l) => lines.push(l));
        r.handle(event({ diagnosticEvent: { message: "first line\nsecond line", color: "never", severity: "error" } }));
        r.handle(event({ diagnosticEvent: { message: "just info", color: "never", severity: "info" } }));
        assert.deepEqual(r.report().errors, ["first line\nsecond line"]);
        assert.deepEqual(lines, ["  [u] error first line"]);
    });

    it("lists changes before unchanged resources in the order pulumi uses", () => {
        assert.equal(formatChanges({ same: 4, delete: 1, update: 2, create: 3 }), "create 3, update 2, delete 1, same 4");
        assert.equal(formatChanges({}), "no steps");
    });
});
