import type * as k8s from "@pulumi/kubernetes";
import { ServiceAccount } from "@pulumi/kubernetes/core/v1/serviceAccount";
import { Role } from "@pulumi/kubernetes/rbac/v1/role";
import { RoleBinding } from "@pulumi/kubernetes/rbac/v1/roleBinding";
import type * as pulumi from "@pulumi/pulumi";
import { appLabels, containerSecurityContext } from "../kubernetes/workload";

/**
 * The Celery worker and beat Deployments of the region that migrates, by name: the migration Job
 * scales them to 0 before `migrate`, so it must know their names before they roll (they depend on it).
 * One Saleor per namespace, as the migration Job's and the Core service account's names already assume.
 */
export const celeryDeployments = { worker: "saleor-worker", beat: "saleor-beat" } as const;

/** Where the init container finds its API credentials (a projected volume mounted in it alone). */
const credentialsPath = "/var/run/secrets/saleor-release";
const credentialsVolume = "release-api-credentials";

/**
 * The init container's program, in the Core image's Python (no other image to pull, pin or scan):
 * PATCH each Deployment's scale subresource to 0 replicas (Kubernetes API, apps/v1
 * `deployments/{name}/scale`, merge patch), a Deployment not deployed yet (404: the first deployment)
 * being nothing to stop; then wait until each reports 0 replicas: every old pod is marked for
 * deletion, and the kubelet sends it SIGTERM (Celery's warm shutdown stops consuming at once and
 * finishes the tasks it runs, Celery docs, "Stopping the worker"). Arguments: the Deployments' names.
 */
const stopScript = `
import json, os, ssl, sys, time, urllib.error, urllib.request
d = "${credentialsPath}"
token = open(d + "/token").read().strip()
ns = open(d + "/namespace").read().strip()
ctx = ssl.create_default_context(cafile=d + "/ca.crt")
api = "https://%s:%s" % (os.environ["KUBERNETES_SERVICE_HOST"], os.environ["KUBERNETES_SERVICE_PORT"])
def call(name, method, body=None):
    url = "%s/apis/apps/v1/namespaces/%s/deployments/%s/scale?fieldManager=saleor-release" % (api, ns, name)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/merge-patch+json"}
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None
        raise
stopping = []
for name in sys.argv[1:]:
    if call(name, "PATCH", b'{"spec":{"replicas":0}}') is None:
        print(name + ": not deployed yet")
    else:
        print(name + ": scaled to 0")
        stopping.append(name)
for _ in range(120):
    left = [n for n in stopping if ((call(n, "GET") or {}).get("status") or {}).get("replicas", 0) > 0]
    if not left:
        sys.exit(0)
    time.sleep(5)
sys.exit("still running after 10 minutes: " + ", ".join(left))
`;

export interface ReleaseStop {
    /** The service account the migration Job runs as. */
    readonly serviceAccountName: pulumi.Output<string>;
    /** What the Job waits for: its account's role binding. */
    readonly ready: pulumi.Resource[];
    /** The Job's first (init) container. */
    readonly initContainer: k8s.types.input.core.v1.Container;
    /** The credentials volume the init container mounts (and nothing else in the pod). */
    readonly volume: k8s.types.input.core.v1.Volume;
}

/**
 * What the migration Job needs to stop the previous release's Celery worker and beat before
 * `migrate`: Saleor's upgrade guide stops the workers first, as migrations enqueue data-migration
 * tasks that a worker of the previous release does not know (and drops). The worker and beat
 * Deployments depend on the Job and declare their replicas, so the same update starts them again on
 * the new image after the migration.
 *
 * Least privilege: a service account of its own, bound to a Role that may only read and patch the
 * scale subresource of those two Deployments (`resourceNames`); the token is projected into the
 * init container alone (the pod mounts none), so `migrate` has no Kubernetes credentials.
 */
export function createReleaseStop(
    name: string,
    args: { namespace: pulumi.Input<string>; instance: string; image: pulumi.Input<string> },
    parent: pulumi.Resource,
): ReleaseStop {
    const labels = appLabels("migrations", args.instance);
    const names = [celeryDeployments.worker, celeryDeployments.beat];
    const account = new ServiceAccount(
        `${name}-release`,
        { metadata: { name: "saleor-release", namespace: args.namespace, labels }, automountServiceAccountToken: false },
        { parent },
    );
    const role = new Role(
        `${name}-release`,
        {
            metadata: { namespace: args.namespace, labels },
            rules: [{ apiGroups: ["apps"], resources: ["deployments/scale"], resourceNames: names, verbs: ["get", "patch"] }],
        },
        { parent },
    );
    const binding = new RoleBinding(
        `${name}-release`,
        {
            metadata: { namespace: args.namespace, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace: args.namespace }],
        },
        { parent },
    );
    return {
        serviceAccountName: account.metadata.name,
        ready: [binding],
        volume: {
            name: credentialsVolume,
            projected: {
                sources: [
                    { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
                    { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
                    { downwardAPI: { items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }] } },
                ],
            },
        },
        initContainer: {
            name: "stop-celery",
            image: args.image,
            command: ["python3", "-c", stopScript],
            args: names,
            resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
            securityContext: containerSecurityContext(true),
            volumeMounts: [{ name: credentialsVolume, mountPath: credentialsPath, readOnly: true }],
        },
    };
}
