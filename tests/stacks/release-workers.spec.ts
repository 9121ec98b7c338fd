import assert from "node:assert/strict";
import { evaluated } from "../support/plans";
import type { RecordedResource } from "../support/harness";

const primaryOf: Record<string, string> = { dev: "local", staging: "eu-central-1", production: "eu-central-1" };

function find(all: RecordedResource[], type: string, name: string): RecordedResource {
    const r = all.find((x) => x.type === type && x.name === name);
    assert.ok(r, `${type} ${name} is planned`);
    return r;
}

describe("no task of a new release is consumed by a worker of the previous one", () => {
    for (const stack of ["dev", "staging", "production"]) {
        describe(stack, () => {
            let all: RecordedResource[];
            let region: string;
            before(async () => {
                all = (await evaluated(stack)).resources;
                region = primaryOf[stack] ?? "";
                if (!all.some((r) => r.name === `${region}-core-migrate`)) {
                    region = all.find((r) => r.name.endsWith("-core-migrate"))!.name.replace(/-core-migrate$/, "");
                }
            });

            it("the worker and beat Deployments of the primary depend on the migration Job, so they roll after it", () => {
                const job = find(all, "kubernetes:batch/v1:Job", `${region}-core-migrate`);
                for (const component of ["worker", "beat"]) {
                    const d = find(all, "kubernetes:apps/v1:Deployment", `${region}-core-${component}`);
                    assert.ok(d.dependencies.includes(job.urn), `${component} waits for the migration Job`);
                }
            });

            it("the Job's first (init) container scales exactly those two Deployments to 0, by name", () => {
                const job = find(all, "kubernetes:batch/v1:Job", `${region}-core-migrate`);
                const pod = (job.inputs as any).spec.template.spec;
                const [init, ...more] = pod.initContainers ?? [];
                assert.ok(init, "the migration Job has an init container");
                assert.equal(more.length, 0);
                const names = ["worker", "beat"].map(
                    (c) => (find(all, "kubernetes:apps/v1:Deployment", `${region}-core-${c}`).inputs as any).metadata.name,
                );
                assert.deepEqual(names, ["saleor-worker", "saleor-beat"], "fixed names the Job can know before they roll");
                assert.deepEqual(init.args, names, "the init container is told exactly the worker and beat");
                assert.ok(JSON.stringify(init.command).includes("replicas"), "it sets their replicas");
                // The API token is in the init container alone: `migrate` gets no Kubernetes credentials.
                assert.equal(pod.automountServiceAccountToken, false);
                const tokenVolume = pod.volumes.find((v: any) => v.projected?.sources?.some((s: any) => s.serviceAccountToken));
                assert.ok(tokenVolume, "a projected token volume");
                assert.ok(init.volumeMounts.some((m: any) => m.name === tokenVolume.name));
                for (const c of pod.containers) assert.ok(!(c.volumeMounts ?? []).some((m: any) => m.name === tokenVolume.name), c.name);
            });

            it("least privilege: the Job's account may only read and patch the scale of those two Deployments", () => {
                const job = find(all, "kubernetes:batch/v1:Job", `${region}-core-migrate`);
                const account = (job.inputs as any).spec.template.spec.serviceAccountName;
                const sa = find(all, "kubernetes:core/v1:ServiceAccount", `${region}-core-release`);
                assert.equal((sa.inputs as any).metadata.name, account);
                const role = find(all, "kubernetes:rbac.authorization.k8s.io/v1:Role", `${region}-core-release`);
                assert.deepEqual((role.inputs as any).rules, [
                    {
                        apiGroups: ["apps"],
                        resources: ["deployments/scale"],
                        resourceNames: ["saleor-worker", "saleor-beat"],
                        verbs: ["get", "patch"],
                    },
                ]);
                const binding = find(all, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", `${region}-core-release`);
                assert.deepEqual(
                    (binding.inputs as any).subjects.map((s: any) => [s.kind, s.name]),
                    [["ServiceAccount", account]],
                );
                assert.equal((binding.inputs as any).roleRef.kind, "Role");
                assert.ok(!all.some((r) => r.type.includes("ClusterRole") && r.name.includes("core-release")));
                assert.ok(job.dependencies.includes(binding.urn), "the Job runs once its account may scale");
            });

            it("the worker and beat set their replica count, so the update starts them again on the new image", () => {
                for (const component of ["worker", "beat"]) {
                    const d = find(all, "kubernetes:apps/v1:Deployment", `${region}-core-${component}`);
                    const replicas = (d.inputs as any).spec.replicas;
                    assert.ok(typeof replicas === "number" && replicas >= 1, `${component}: replicas ${replicas}`);
                    // The scale-down made another field manager own spec.replicas: the apply must take it back.
                    assert.equal((d.inputs as any).metadata.annotations?.["pulumi.com/patchForce"], "true", component);
                    const hpa = all.find(
                        (r) =>
                            r.type.startsWith("kubernetes:autoscaling/") &&
                            (r.inputs as any).spec.scaleTargetRef.name === (d.inputs as any).metadata.name,
                    );
                    // An HPA does not scale a target at 0 replicas: the update's count is its minimum.
                    if (hpa) assert.equal(replicas, (hpa.inputs as any).spec.minReplicas, component);
                }
            });
        });
    }
});

describe("the migration Job and the canaries' gate Jobs reach the Kubernetes API, and no other pod does", () => {
    for (const stack of ["dev", "staging", "production"]) {
        it(`${stack}: one policy lets the migration pods${stack === "dev" ? "" : " and the gates"} alone reach the API server`, async () => {
            const all = (await evaluated(stack)).resources;
            // The app namespace's; External Secrets' own controllers reach the API in theirs
            // (tests/stacks/external-secrets-network.spec.ts).
            const policies = all.filter(
                (r) =>
                    r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" &&
                    r.name.endsWith("-kubernetes-api") &&
                    (r.inputs as any).metadata.namespace !== "external-secrets",
            );
            // Dev: the region that migrates (no canaries there). AWS: every region, whose canaries have gates.
            assert.deepEqual(
                policies.map((p) => p.name),
                stack === "dev"
                    ? [`${primaryOf[stack]}-network-kubernetes-api`]
                    : ["eu-central-1-network-kubernetes-api", "eu-west-1-network-kubernetes-api"],
            );
            for (const p of policies) {
                const spec = (p.inputs as any).spec;
                assert.deepEqual(spec.policyTypes, ["Egress"]);
                const components = spec.podSelector.matchExpressions.find((x: any) => x.key === "app.kubernetes.io/component");
                assert.deepEqual(components, {
                    key: "app.kubernetes.io/component",
                    operator: "In",
                    values: ["migrations", "rollout-gate"],
                });
                const [rule, ...more] = spec.egress;
                assert.equal(more.length, 0);
                const ports = rule.ports.map((x: any) => x.port);
                if (stack === "dev") {
                    // An existing cluster: its API server's address is not the program's to know; kubeadm's port.
                    assert.deepEqual(ports, [443, 6443]);
                    assert.deepEqual(rule.to[0].ipBlock.except, ["169.254.169.254/32"]);
                } else {
                    // EKS: the control plane's interfaces in the cluster's (private) subnets, HTTPS only.
                    assert.deepEqual(ports, [443]);
                    const cidrs = rule.to.map((x: any) => x.ipBlock.cidr);
                    assert.ok(
                        cidrs.length >= 2 && cidrs.every((c: string) => /^10\.\d+\.\d+\.\d+\/\d+$/.test(c) && !c.endsWith("/16")),
                        cidrs.join(),
                    );
                }
            }
        });
    }
});
