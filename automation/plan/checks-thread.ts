/**
 * The plan's checks, on a thread of their own (plan/checks.ts starts it): the policy pack and the
 * Kubernetes schemas load here while the main thread evaluates the program, and judge the plan
 * once it is made.
 */
import { parentPort } from "worker_threads";
import type { PlanCheckResult } from "../../policy/offline";
import type { KubernetesValidation } from "./kubernetes-validation";
import type { ChecksReply, ChecksRequest, ThrownError } from "./checks";

// Loaded as the thread starts: this is the work the main thread no longer waits for.
const { checkPlan, readPolicyConfigFile } = require("../../policy/offline") as typeof import("../../policy/offline");
const { preloadValidator, validateKubernetesObjects } = require("./kubernetes-validation") as typeof import("./kubernetes-validation");

async function check(request: Extract<ChecksRequest, { kind: "check" }>): Promise<ChecksReply> {
    const kubernetes: KubernetesValidation = validateKubernetesObjects(request.doc);
    if (!request.policy) return { kind: "result", kubernetes };
    try {
        const configFile = request.policy.configFile;
        const policy: PlanCheckResult = await checkPlan(request.doc, configFile ? readPolicyConfigFile(configFile) : undefined);
        return { kind: "result", kubernetes, policy };
    } catch (e) {
        // Reported after the Kubernetes verdict, as the in-process order did: an object the API
        // server refuses is the plan's first problem.
        return { kind: "result", kubernetes, policyError: errorOf(e) };
    }
}

function errorOf(e: unknown): ThrownError {
    const error = e instanceof Error ? e : new Error(String(e));
    return { name: error.name, message: error.message, stack: error.stack };
}

parentPort!.on("message", (request: ChecksRequest) => {
    if (request.kind === "preload") {
        preloadValidator(request.type);
        return;
    }
    check(request).then(
        (reply) => parentPort!.postMessage(reply),
        (e: unknown) => parentPort!.postMessage({ kind: "error", ...errorOf(e) } satisfies ChecksReply),
    );
});
