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
    // The main thread ends this thread once it has the answer, and a thread that is ended hears no
    // `exit`: V8's code of the modules loaded here is kept now (nothing to write once it is kept).
    (require("../register.js") as { saveCodeCache?: () => void }).saveCodeCache?.();
    parentPort!.postMessage(reply);
});
