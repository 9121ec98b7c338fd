import {
    dropsAllCapabilities,
    noHostNamespaces,
    noHostPathVolumes,
    noPrivilegedContainers,
    noPrivilegeEscalation,
    runsAsNonRoot,
} from "../../../policy/kubernetes";
import { container, deployment, workload, WorkloadKind } from "../fixtures/kubernetes";
import { assertPasses, assertViolates, resourceOutcome, UNKNOWN_VALUE } from "../harness";
import * as assert from "assert";

const withSecurity = (securityContext: object, extra: object = {}) => container({ securityContext, ...extra });
const compliantContext = { privileged: false, allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ["ALL"] } };

describe("workload security rules", () => {
    describe("kubernetes-workload-no-privileged-containers", () => {
        it("a privileged container is a violation naming the workload and container", () =>
            assertViolates(
                noPrivilegedContainers,
                deployment({ containers: [withSecurity({ ...compliantContext, privileged: true })] }),
                /^Deployment saleor\/api: container "api" runs privileged; remove securityContext.privileged or set it to false.$/,
            ));
        it("a privileged init container is a violation too", () =>
            assertViolates(
                noPrivilegedContainers,
                deployment({ initContainers: [withSecurity({ privileged: true }, { name: "chown" })] }),
                /init container "chown" runs privileged/,
            ));
        for (const kind of ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"] as WorkloadKind[]) {
            it(`a privileged ${kind} is a violation`, () =>
                assertViolates(
                    noPrivilegedContainers,
                    workload(kind, { containers: [withSecurity({ privileged: true })] }),
                    new RegExp(`^${kind} saleor/api:`),
                ));
        }
        it("an unprivileged container passes", () => assertPasses(noPrivilegedContainers, deployment()));
        it("an unknown securityContext is not a violation", () =>
            assertPasses(noPrivilegedContainers, deployment({ containers: [container({ securityContext: UNKNOWN_VALUE })] })));
        it("a pod spec unknown during preview is not a violation", () => {
            const fixture = deployment();
            return assertPasses(noPrivilegedContainers, { ...fixture, props: { ...fixture.props, spec: { template: UNKNOWN_VALUE } } });
        });
        it("does not apply to a Service", async () => {
            const outcome = await resourceOutcome(noPrivilegedContainers, { type: "kubernetes:core/v1:Service", props: {} });
            assert.match(outcome.notApplicable ?? "", /kubernetes:apps\/v1:Deployment/);
        });
    });

    describe("kubernetes-workload-no-privilege-escalation", () => {
        it("a container that does not forbid escalation is a violation", () =>
            assertViolates(
                noPrivilegeEscalation,
                deployment({ containers: [withSecurity({ runAsNonRoot: true })] }),
                /container "api" may escalate privileges; set securityContext.allowPrivilegeEscalation: false/,
            ));
        it("allowPrivilegeEscalation: false passes", () => assertPasses(noPrivilegeEscalation, deployment()));
        it("an unknown flag is not a violation", () =>
            assertPasses(noPrivilegeEscalation, deployment({ containers: [withSecurity({ allowPrivilegeEscalation: UNKNOWN_VALUE })] })));
        it("dev's exempt data stores are not judged", () =>
            assertPasses(noPrivilegeEscalation, workload("StatefulSet", { component: "postgres", containers: [withSecurity({})] }), {
                exemptComponents: ["postgres"],
            }));
        it("an exemption list does not spare other components", () =>
            assertViolates(noPrivilegeEscalation, deployment({ containers: [withSecurity({})] }), /may escalate privileges/, {
                exemptComponents: ["postgres"],
            }));
    });

    describe("kubernetes-workload-runs-as-non-root", () => {
        const rootPod = { securityContext: {} };
        it("a container with no user settings on pod or container may run as root", () =>
            assertViolates(
                runsAsNonRoot,
                deployment({ pod: rootPod, containers: [withSecurity({ allowPrivilegeEscalation: false })] }),
                /container "api" may run as root; set securityContext.runAsNonRoot: true/,
            ));
        it("runAsUser 0 is a violation even with runAsNonRoot", () =>
            assertViolates(
                runsAsNonRoot,
                deployment({ containers: [withSecurity({ runAsNonRoot: true, runAsUser: 0 })] }),
                /runs as uid 0; set securityContext.runAsUser/,
            ));
        it("the pod-level runAsNonRoot covers containers that say nothing", () =>
            assertPasses(runsAsNonRoot, deployment({ pod: { securityContext: { runAsNonRoot: true } }, containers: [withSecurity({})] })));
        it("a non-zero runAsUser alone passes", () =>
            assertPasses(runsAsNonRoot, deployment({ pod: rootPod, containers: [withSecurity({ runAsUser: 1000 })] })));
        it("a container's runAsNonRoot: false overrides the pod's true", () =>
            assertViolates(
                runsAsNonRoot,
                deployment({ pod: { securityContext: { runAsNonRoot: true } }, containers: [withSecurity({ runAsNonRoot: false })] }),
                /may run as root/,
            ));
        it("an unknown user is not a violation", () =>
            assertPasses(runsAsNonRoot, deployment({ pod: rootPod, containers: [withSecurity({ runAsUser: UNKNOWN_VALUE })] })));
        it("dev exempts the in-cluster PostgreSQL", () =>
            assertPasses(runsAsNonRoot, workload("StatefulSet", { component: "postgres", pod: rootPod, containers: [withSecurity({})] }), {
                exemptComponents: ["postgres", "valkey"],
            }));
    });

    describe("kubernetes-workload-drops-all-capabilities", () => {
        it("a container keeping default capabilities is a violation", () =>
            assertViolates(
                dropsAllCapabilities,
                deployment({ containers: [withSecurity({ capabilities: { drop: ["NET_RAW"] } })] }),
                /keeps the default capabilities; set securityContext.capabilities.drop: \["ALL"\]/,
            ));
        it("a container without a securityContext is a violation", () =>
            assertViolates(
                dropsAllCapabilities,
                deployment({ containers: [container({ securityContext: undefined })] }),
                /capabilities.drop/,
            ));
        it("drop ALL passes, even with an added capability", () =>
            assertPasses(
                dropsAllCapabilities,
                deployment({ containers: [withSecurity({ capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } })] }),
            ));
        it("an unknown drop list is not a violation", () =>
            assertPasses(dropsAllCapabilities, deployment({ containers: [withSecurity({ capabilities: { drop: UNKNOWN_VALUE } })] })));
    });

    describe("kubernetes-workload-no-host-path-volumes", () => {
        it("a hostPath volume is a violation naming the volume", () =>
            assertViolates(
                noHostPathVolumes,
                deployment({ pod: { volumes: [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }] } }),
                /volume "docker" is a hostPath; use a PersistentVolumeClaim/,
            ));
        it("PVC and emptyDir volumes pass", () =>
            assertPasses(
                noHostPathVolumes,
                deployment({
                    pod: {
                        volumes: [
                            { name: "media", persistentVolumeClaim: { claimName: "media" } },
                            { name: "tmp", emptyDir: {} },
                        ],
                    },
                }),
            ));
        it("an unknown volume is not a violation", () =>
            assertPasses(noHostPathVolumes, deployment({ pod: { volumes: [UNKNOWN_VALUE] } })));
    });

    describe("kubernetes-workload-no-host-namespaces", () => {
        it("hostNetwork is a violation", () =>
            assertViolates(noHostNamespaces, deployment({ pod: { hostNetwork: true } }), /the pod sets hostNetwork: true; remove it/));
        it("hostPID and hostIPC are violations", async () => {
            const { resourceViolations } = await import("../harness");
            const messages = await resourceViolations(noHostNamespaces, deployment({ pod: { hostPID: true, hostIPC: true } }));
            assert.deepStrictEqual(
                messages.map((m) => /sets (\w+)/.exec(m)?.[1]),
                ["hostPID", "hostIPC"],
            );
        });
        it("a pod in its own namespaces passes", () => assertPasses(noHostNamespaces, deployment({ pod: { hostNetwork: false } })));
        it("an unknown flag is not a violation", () => assertPasses(noHostNamespaces, deployment({ pod: { hostNetwork: UNKNOWN_VALUE } })));
    });
});
