import { createHash } from "crypto";
import type { CustomResource } from "@pulumi/kubernetes/apiextensions/customResource";
import { Job } from "@pulumi/kubernetes/batch/v1/job";
import { ServiceAccount } from "@pulumi/kubernetes/core/v1/serviceAccount";
import { Role } from "@pulumi/kubernetes/rbac/v1/role";
import { RoleBinding } from "@pulumi/kubernetes/rbac/v1/roleBinding";
import * as pulumi from "@pulumi/pulumi";
import { appLabels, containerSecurityContext, podSecurityContext, type RunAs } from "./workload";

/** Where the gate's pod finds its API credentials (a projected volume, mounted in its one container). */
const credentialsPath = "/var/run/secrets/saleor-rollout-gate";

/**
 * The gate's program (Python 3, standard library only): poll one Rollout every 5 s until it reports
 * Healthy (exit 0), Degraded (exit 1 with Argo's message: the analysis failed, or someone aborted)
 * or the time runs out (exit 1).
 *
 * The phase is judged as `kubectl argo rollouts status` judges it (argo-rollouts v1.9.0
 * utils/rollout/rolloututil.go GetRolloutPhase, which pkg/kubectl-argo-rollouts/info/rollout_info.go
 * uses): until the controller has observed the Rollout's current generation (`status.observedGeneration`,
 * a string, equal to `metadata.generation`; a non-numeric one is an old controller's hash and counts as
 * observed), the phase is that of the previous spec, so a just-updated Rollout still reads Healthy
 * from the last release: the gate reads it as Progressing. A Rollout being unpaused
 * (`controllerPause` without `pauseConditions`) is Progressing too.
 * `GATE_API_URL` replaces https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT (specs only).
 * Arguments: the Rollout's name, the seconds to wait.
 */
export const rolloutGateScript = `
import json, os, ssl, sys, time, urllib.error, urllib.request
d = "${credentialsPath}"
name, limit = sys.argv[1], int(sys.argv[2])
api = os.environ.get("GATE_API_URL") or "https://%s:%s" % (os.environ["KUBERNETES_SERVICE_HOST"], os.environ["KUBERNETES_SERVICE_PORT"])
ctx = ssl.create_default_context(cafile=d + "/ca.crt") if api.startswith("https:") else None
token = open(d + "/token").read().strip() if os.path.exists(d + "/token") else ""
ns = open(d + "/namespace").read().strip() if os.path.exists(d + "/namespace") else os.environ.get("GATE_NAMESPACE", "")
url = "%s/apis/argoproj.io/v1alpha1/namespaces/%s/rollouts/%s" % (api, ns, name)
def phase_of(ro):
    status = ro.get("status") or {}
    observed = str(status.get("observedGeneration", ""))
    generation = int((ro.get("metadata") or {}).get("generation", 0))
    if observed.isdigit() and int(observed) < generation:
        return "Progressing", "waiting for rollout spec update to be observed"
    if status.get("controllerPause") and not status.get("pauseConditions"):
        return "Progressing", "waiting for rollout to unpause"
    return status.get("phase") or "Progressing", status.get("message") or ""
deadline = time.time() + limit
last = None
while True:
    try:
        req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token} if token else {})
        with urllib.request.urlopen(req, context=ctx, timeout=15) as r:
            phase, message = phase_of(json.load(r))
    except (urllib.error.URLError, OSError, ValueError) as e:
        phase, message = "Unknown", "the Rollout could not be read: %s" % e
    if (phase, message) != last:
        print("%s: %s%s" % (name, phase, (" - " + message) if message else ""), flush=True)
        last = (phase, message)
    if phase == "Healthy":
        sys.exit(0)
    if phase == "Degraded":
        sys.exit("%s is Degraded: %s" % (name, message))
    if time.time() >= deadline:
        sys.exit("%s is not Healthy after %d s: %s %s" % (name, limit, phase, message))
    time.sleep(float(os.environ.get("GATE_POLL_SECONDS", "5")))
`;

export interface RolloutGateArgs {
    readonly namespace: pulumi.Input<string>;
    readonly instance: string;
    /** The Rollout to wait for. */
    readonly rollout: CustomResource;
    /** The Rollout's pod template, whose change (a release) makes a new gate. */
    readonly template: pulumi.Input<Record<string, unknown>>;
    /** An image with Python 3 from an allowed registry: the region's Core image. */
    readonly image: pulumi.Input<string>;
    /** Whom the image runs as. */
    readonly runAs: RunAs;
    /** Seconds the canary may take, steps and pauses included. */
    readonly timeoutSeconds: number;
}

/**
 * A Job that succeeds when a Rollout's release is complete and fails as soon as it is Degraded, so
 * `pulumi up` (and the deploy driver, which rolls back on a failed update) learns of an aborted canary
 * within seconds. The Rollout itself carries no `pulumi.com/waitFor`: the provider would wait its
 * full timeout on an aborted canary (Degraded never becomes Healthy), and it compares
 * `status.observedGeneration` only when it is a number, while Argo writes a string, so right after an
 * update it can read the previous release's Healthy (the generation check above is the gate's).
 *
 * Named by a digest of the Rollout's template and the gate's image, so every release runs a new one
 * (a Core release reruns the storefront's gate too, which finds its Rollout Healthy at once). The image
 * stays in the name rather than under `ignoreChanges`: Pulumi keeps an ignored input's old value when it
 * replaces a resource, so a gate would run ever older Core images until the registry's lifecycle
 * policy expired one and its pod could not start.
 * Least privilege: a service account of its own whose Role may only `get` this one Rollout; the token
 * is projected into the container (no automatic mount).
 */
export function createRolloutGate(name: string, args: RolloutGateArgs, opts: pulumi.CustomResourceOptions): Job {
    const labels = appLabels("rollout-gate", args.instance);
    const child = { ...opts, dependsOn: undefined };
    const account = new ServiceAccount(
        `${name}-gate`,
        { metadata: { namespace: args.namespace, labels }, automountServiceAccountToken: false },
        child,
    );
    const role = new Role(
        `${name}-gate`,
        {
            metadata: { namespace: args.namespace, labels },
            rules: [
                {
                    apiGroups: ["argoproj.io"],
                    resources: ["rollouts"],
                    resourceNames: [args.rollout.metadata.name],
                    verbs: ["get"],
                },
            ],
        },
        child,
    );
    const binding = new RoleBinding(
        `${name}-gate`,
        {
            metadata: { namespace: args.namespace, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace: args.namespace }],
        },
        child,
    );
    const jobName = pulumi.all([args.rollout.metadata.name, args.template, args.image]).apply(([rollout, template, image]) => {
        const digest = createHash("sha256")
            .update(JSON.stringify([template, image, rolloutGateScript]))
            .digest("hex")
            .slice(0, 10);
        return `${rollout}-gate-${digest}`.slice(-63).replace(/^[^a-z0-9]+/, "");
    });
    return new Job(
        `${name}-gate`,
        {
            metadata: { name: jobName, namespace: args.namespace, labels },
            spec: {
                // A Degraded verdict is final; a failed read is retried inside the script.
                backoffLimit: 0,
                activeDeadlineSeconds: args.timeoutSeconds + 120,
                template: {
                    metadata: { labels },
                    spec: {
                        restartPolicy: "Never",
                        serviceAccountName: account.metadata.name,
                        automountServiceAccountToken: false,
                        securityContext: podSecurityContext(args.runAs),
                        containers: [
                            {
                                name: "wait",
                                image: args.image,
                                command: ["python3", "-c", rolloutGateScript],
                                args: [args.rollout.metadata.name, String(args.timeoutSeconds)],
                                resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "100m", memory: "128Mi" } },
                                securityContext: containerSecurityContext(true),
                                volumeMounts: [{ name: "api-credentials", mountPath: credentialsPath, readOnly: true }],
                            },
                        ],
                        volumes: [
                            {
                                name: "api-credentials",
                                projected: {
                                    sources: [
                                        { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
                                        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
                                        { downwardAPI: { items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }] } },
                                    ],
                                },
                            },
                        ],
                    },
                },
            },
        },
        {
            ...opts,
            dependsOn: [args.rollout, binding],
            // The provider awaits the Job's completion (and fails on Failed); give it the Job's own deadline.
            customTimeouts: { create: `${args.timeoutSeconds + 300}s`, update: `${args.timeoutSeconds + 300}s` },
        },
    );
}
