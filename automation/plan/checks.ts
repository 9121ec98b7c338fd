/**
 * The checks a plan gets once it is made (the Kubernetes API server's, then the policy pack's), run
 * on a worker thread that starts with the plan. Loading the pack (with its own copy of the policy
 * SDK) and the Kubernetes schemas is most of their cost; on its own thread that happens while the
 * main thread evaluates the program, instead of after it. The main thread tells the thread each
 * resource type as it is registered, so a kind's schema is loaded before the plan asks for it.
 *
 * The verdicts are the same as in-process: the thread runs the same functions on a structured
 * clone of the plan document (plain JSON).
 */
import * as path from "path";
import { Worker } from "worker_threads";
import type { PlanCheckResult } from "../../policy/offline";
import type { PlanDocument } from "./json";
import type { KubernetesValidation } from "./kubernetes-validation";

/** What the main thread sends: a type to load checks for, or the plan to judge. */
export type ChecksRequest =
    | { kind: "preload"; type: string }
    | {
          kind: "check";
          doc: PlanDocument;
          /** Run the policy pack, with this policy config file (absent: the pack's defaults); undefined: no policy check. */
          policy?: { configFile?: string };
      };

/** An error thrown on the thread, as it crosses to the main thread. */
export interface ThrownError {
    name: string;
    message: string;
    stack?: string;
}

/** What the thread answers: the verdicts, or the error a check threw. */
export type ChecksReply = ({ kind: "result" } & PlanCheckResults<ThrownError>) | ({ kind: "error" } & ThrownError);

export interface PlanCheckResults<E = Error> {
    kubernetes: KubernetesValidation;
    /** The policy pack's verdict; absent when not asked for or when it failed. */
    policy?: PlanCheckResult;
    /** Why the policy check failed (an unreadable or invalid policy config, a plan it cannot read). */
    policyError?: E;
}

/** The thread's error as an Error of this thread, with the name, message and stack it had there. */
function rebuilt(thrown: ThrownError): Error {
    const e = new Error(thrown.message);
    e.name = thrown.name;
    if (thrown.stack) e.stack = thrown.stack;
    return e;
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
    }

    /** Tells the thread a resource type the plan will have, so its checks are loaded early. */
    readonly preload = (type: string): void => {
        if (type.startsWith("kubernetes:")) this.worker.postMessage({ kind: "preload", type } satisfies ChecksRequest);
    };

    /** Judges the plan; the thread ends after it. A check that throws rejects with its error's name and message. */
    run(doc: PlanDocument, policy: { configFile?: string } | undefined): Promise<PlanCheckResults> {
        if (this.used) throw new Error("a PlanChecks thread judges one plan");
        this.used = true;
        return new Promise<PlanCheckResults>((resolve, reject) => {
            if (this.failure) return reject(this.failure);
            const fail = (e: Error) => reject(e);
            const exit = (code: number) => reject(new Error(`the plan's checks thread stopped (exit code ${code}) before it answered`));
            this.worker.once("error", fail);
            this.worker.once("exit", exit);
            this.worker.once("message", (reply: ChecksReply) => {
                this.worker.off("error", fail);
                this.worker.off("exit", exit);
                if (reply.kind === "error") return reject(rebuilt(reply));
                resolve({
                    kubernetes: reply.kubernetes,
                    policy: reply.policy,
                    policyError: reply.policyError && rebuilt(reply.policyError),
                });
            });
            this.worker.postMessage({ kind: "check", doc, policy } satisfies ChecksRequest);
        }).finally(() => this.close());
    }

    /** Ends the thread (also when the plan is never judged, e.g. the program failed). */
    close(): void {
        void this.worker.terminate();
    }
}
