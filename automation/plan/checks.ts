/**
 * The checks a plan gets once it is made: the Kubernetes API server's and the policy pack's. The
 * Kubernetes schemas load on a worker thread that starts with the plan, while the main thread
 * evaluates the program (the main thread tells it each resource type as it is registered, so a
 * kind's schema is loaded before the plan asks for it), and the thread validates the plan while
 * the main thread runs the policy pack. The pack stays on the main thread: it needs the Pulumi SDK,
 * which the main thread has loaded and a thread would load again (about half a second).
 *
 * The verdicts are the same as in-process: the thread runs the same function on a structured clone
 * of the plan document (plain JSON).
 */
import * as path from "path";
import { Worker } from "worker_threads";
import type { PlanCheckResult } from "../../policy/offline";
import type { PlanDocument } from "./json";
import type { KubernetesValidation } from "./kubernetes-validation";

/** What the main thread sends the thread: a type to load the schema of, or the plan to validate. */
export type ChecksRequest = { kind: "preload"; type: string } | { kind: "check"; doc: Pick<PlanDocument, "steps"> };

/** An error thrown on the thread, as it crosses to the main thread. */
export interface ThrownError {
    name: string;
    message: string;
    stack?: string;
}

/** What the thread answers: the Kubernetes verdict, or the error validation threw. */
export type ChecksReply = { kind: "result"; kubernetes: KubernetesValidation } | ({ kind: "error" } & ThrownError);

export interface PlanCheckResults {
    kubernetes: KubernetesValidation;
    /** The policy pack's verdict; absent when not asked for or when it failed. */
    policy?: PlanCheckResult;
    /** Why the policy check failed (an unreadable or invalid policy config, a plan it cannot read). */
    policyError?: Error;
}

/** The thread's error as an Error of this thread, with the name, message and stack it had there. */
function rebuilt(thrown: ThrownError): Error {
    const e = new Error(thrown.message);
    e.name = thrown.name;
    if (thrown.stack) e.stack = thrown.stack;
    return e;
}

/** The policy pack's verdict on the plan, or why it could not judge it. Loaded on first use, after the program. */
async function judge(doc: PlanDocument, configFile: string | undefined): Promise<Pick<PlanCheckResults, "policy" | "policyError">> {
    try {
        const { checkPlan, readPolicyConfigFile } = require("../../policy/offline") as typeof import("../../policy/offline");
        return { policy: await checkPlan(doc, configFile ? readPolicyConfigFile(configFile) : undefined) };
    } catch (e) {
        return { policyError: e instanceof Error ? e : new Error(String(e)) };
    }
}

/** A checks thread for one plan. */
export class PlanChecks {
    private readonly worker: Worker;
    /** Set when the thread failed before it was asked anything. */
    private failure?: Error;
    private used = false;

    constructor() {
        this.worker = new Worker(path.join(__dirname, "checks-worker.js"));
        this.worker.on("error", (e) => (this.failure ??= e));
        // The thread keeps the process alive only while the plan waits for its answer: a plan that
        // ends another way (an error, a refusal) is never held open by it.
        this.worker.unref();
    }

    /** The Kubernetes types the thread was told of. */
    private readonly told = new Set<string>();

    /**
     * Tells the thread a resource type the plan will have, so its checks are loaded early: each
     * Kubernetes type once (a message for each of the production plan's objects was about 3% of its CPU profile).
     */
    readonly preload = (type: string): void => {
        if (!type.startsWith("kubernetes:") || this.told.has(type)) return;
        this.told.add(type);
        this.worker.postMessage({ kind: "preload", type } satisfies ChecksRequest);
    };

    /**
     * Judges the plan: Kubernetes on the thread, the policy pack (unless `policy` is undefined; with
     * the given policy config file, or the pack's defaults without one) here, side by side. The thread
     * ends after it. Validation that throws rejects with its error's name and message; a policy check
     * that throws is handed back as `policyError`.
     */
    async run(doc: PlanDocument, policy: { configFile?: string } | undefined): Promise<PlanCheckResults> {
        if (this.used) throw new Error("a PlanChecks thread judges one plan");
        this.used = true;
        try {
            const kubernetes = this.validate(doc);
            const judged = policy ? await judge(doc, policy.configFile) : {};
            return { kubernetes: await kubernetes, ...judged };
        } finally {
            this.close();
        }
    }

    private validate(doc: PlanDocument): Promise<KubernetesValidation> {
        return new Promise<KubernetesValidation>((resolve, reject) => {
            if (this.failure) return reject(this.failure);
            const fail = (e: Error) => reject(e);
            const exit = (code: number) => reject(new Error(`the plan's checks thread stopped (exit code ${code}) before it answered`));
            this.worker.once("error", fail);
            this.worker.once("exit", exit);
            this.worker.once("message", (reply: ChecksReply) => {
                this.worker.unref();
                this.worker.off("error", fail);
                this.worker.off("exit", exit);
                if (reply.kind === "error") return reject(rebuilt(reply));
                resolve(reply.kubernetes);
            });
            this.worker.ref();
            this.worker.postMessage({
                kind: "check",
                doc: { steps: doc.steps.filter((s) => s.newState?.type.startsWith("kubernetes:")) },
            } satisfies ChecksRequest);
        });
    }

    /** Ends the thread (also when the plan is never judged, e.g. the program failed). */
    close(): void {
        void this.worker.terminate();
    }
}
