/**
 * The Kubernetes API server's checks of a plan, on a thread of their own (plan/checks.ts starts it):
 * each kind's schema loads here while the main thread evaluates the program. Nothing here loads the
 * Pulumi SDK: a thread of its own would load its own copy, which costs more than it saves.
 */
import { parentPort } from "worker_threads";
import type { ChecksReply, ChecksRequest } from "./checks";
import { preloadValidator, validateKubernetesObjects } from "./kubernetes-validation";

parentPort!.on("message", (request: ChecksRequest) => {
    if (request.kind === "preload") {
        preloadValidator(request.type);
        return;
    }
    let reply: ChecksReply;
    try {
        reply = { kind: "result", kubernetes: validateKubernetesObjects(request.doc) };
    } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        reply = { kind: "error", name: error.name, message: error.message, stack: error.stack };
    }
    parentPort!.postMessage(reply);
});
