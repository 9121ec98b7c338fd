import * as assert from "assert";
import {
    dropsAllCapabilities,
    healthProbes,
    noPrivilegeEscalation,
    noPrivilegedContainers,
    resourcesSpecified,
    resourcesWithinRange,
    rolloutCanaryWithAnalysis,
    runsAsNonRoot,
} from "../../../policy/kubernetes";
import { coreWaitsForMigration, deploymentHasDisruptionBudget } from "../../../policy/stack";
import { container, deployment, horizontalPodAutoscaler, labels, migrationJob, podDisruptionBudget, rollout } from "../fixtures/kubernetes";
import { assertPasses, assertViolates, resourceViolations, stackViolations, UNKNOWN_VALUE, urnFor } from "../harness";

// On AWS the API and the storefront are Argo Rollouts: every rule that judges a Deployment's pods
// judges a Rollout's pod template the same way, and the stack rules count Rollouts as Deployments.

/** The same violations for a Rollout as for a Deployment, with the kind named. */
async function sameAsDeployment(policy: Parameters<typeof resourceViolations>[0], options: Parameters<typeof deployment>[0]) {
    const forDeployment = await resourceViolations(policy, deployment(options));
    const forRollout = await resourceViolations(policy, rollout(options));
    assert.ok(forDeployment.length > 0, `${policy.name} refuses the Deployment`);
    assert.deepStrictEqual(
        forRollout,
        forDeployment.map((m) => m.replace(/^Deployment /, "Rollout ")),
    );
}

describe("Argo Rollouts are judged as Deployments are", () => {
    it("a Rollout without probes is refused exactly as a Deployment is", () =>
        sameAsDeployment(healthProbes, { containers: [container({ livenessProbe: undefined, readinessProbe: undefined })] }));

    it("a Rollout without resources is refused exactly as a Deployment is", () =>
        sameAsDeployment(resourcesSpecified, { containers: [container({ resources: undefined })] }));

    it("a production Rollout sized below the guide is refused exactly as a Deployment is", () =>
        sameAsDeployment(resourcesWithinRange, {
            containers: [container({ resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "4Gi" } } })],
        }));

    it("a Rollout without a securityContext is refused exactly as a Deployment is", async () => {
        const bare = { pod: { securityContext: {} }, containers: [container({ securityContext: undefined })] };
        for (const policy of [noPrivilegeEscalation, runsAsNonRoot, dropsAllCapabilities]) await sameAsDeployment(policy, bare);
        await sameAsDeployment(noPrivilegedContainers, { containers: [container({ securityContext: { privileged: true } })] });
    });

    it("a well-formed Rollout passes the pod rules", async () => {
        for (const policy of [healthProbes, resourcesSpecified, noPrivilegeEscalation, runsAsNonRoot, dropsAllCapabilities]) {
            assert.deepStrictEqual(await resourceViolations(policy, rollout()), [], policy.name);
        }
    });

    it("a Rollout scaled by an HPA needs a PodDisruptionBudget; one selecting its pods passes", async () => {
        const api = rollout({ spec: { replicas: undefined } });
        const hpa = horizontalPodAutoscaler("api", { kind: "Rollout" });
        const violations = await stackViolations(deploymentHasDisruptionBudget, [api, hpa]);
        assert.strictEqual(violations.length, 1);
        assert.strictEqual(violations[0].urn, urnFor(api));
        assert.match(violations[0].message, /^Rollout saleor\/api is scaled by a HorizontalPodAutoscaler but no PodDisruptionBudget/);
        const pdb = podDisruptionBudget({ matchLabels: labels("api") });
        assert.deepStrictEqual(await stackViolations(deploymentHasDisruptionBudget, [api, hpa, pdb]), []);
    });

    it("an HPA scaling a Deployment of the same name does not make a Rollout replicated", async () => {
        const api = rollout({ spec: { replicas: undefined } });
        assert.deepStrictEqual(await stackViolations(deploymentHasDisruptionBudget, [api, horizontalPodAutoscaler("api")]), []);
    });

    it("a Core Rollout must wait for the migration Job, as a Core Deployment must", async () => {
        const job = migrationJob();
        const api = rollout();
        assert.deepStrictEqual(await stackViolations(coreWaitsForMigration, [job, api]), [
            {
                urn: urnFor(api),
                message:
                    'Rollout saleor/api runs the Saleor Core image but does not wait for a migration Job; add dependsOn on the batch/v1 Job that runs "manage.py migrate" for the same image.',
            },
        ]);
        assert.deepStrictEqual(await stackViolations(coreWaitsForMigration, [job, rollout({ dependencies: [urnFor(job)] })]), []);
    });
});

describe("kubernetes-rollout-canary-with-analysis", () => {
    const analysed = { templates: [{ templateName: "api-analysis" }], startingStep: 1 };
    const withCanary = (canary: unknown) => rollout({ spec: { strategy: canary === undefined ? {} : { canary } } });

    it("a Rollout whose canary runs no analysis is refused", () =>
        assertViolates(
            rolloutCanaryWithAnalysis,
            rollout(),
            /^Rollout saleor\/api's canary runs no analysis; add spec.strategy.canary.analysis.templates/,
        ));

    it("a Rollout without a canary strategy (blue-green, or none) is refused", async () => {
        await assertViolates(rolloutCanaryWithAnalysis, withCanary(undefined), /^Rollout saleor\/api has no canary strategy/);
        await assertViolates(
            rolloutCanaryWithAnalysis,
            rollout({ spec: { strategy: { blueGreen: { activeService: "api" } } } }),
            /has no canary strategy/,
        );
    });

    it("a canary that never shifts traffic in steps is refused", () =>
        assertViolates(rolloutCanaryWithAnalysis, withCanary({ steps: [{ pause: {} }], analysis: analysed }), /has no setWeight step/));

    it("a canary with background analysis, or an analysis step, passes", async () => {
        await assertPasses(
            rolloutCanaryWithAnalysis,
            withCanary({ steps: [{ setWeight: 10 }, { pause: { duration: "2m" } }], analysis: analysed }),
        );
        await assertPasses(
            rolloutCanaryWithAnalysis,
            withCanary({ steps: [{ setWeight: 10 }, { analysis: { templates: [{ templateName: "x" }] } }] }),
        );
    });

    it("a strategy unknown during preview is not judged; Deployments are not Rollouts", async () => {
        await assertPasses(rolloutCanaryWithAnalysis, rollout({ spec: { strategy: UNKNOWN_VALUE } }));
        await assertPasses(rolloutCanaryWithAnalysis, deployment());
    });
});
