import * as assert from "assert";
import { celeryBeatOnePerStack, coreWaitsForMigration, deploymentHasDisruptionBudget } from "../../../policy/stack";
import {
    container,
    deployment,
    horizontalPodAutoscaler,
    labels,
    migrationJob,
    podDisruptionBudget,
    workload,
} from "../fixtures/kubernetes";
import { stackOutcome, stackViolations, UNKNOWN_VALUE, urnFor } from "../harness";

describe("Saleor Core migration ordering", () => {
    describe("kubernetes-saleor-core-waits-for-migration", () => {
        const job = migrationJob();
        it("a Core Deployment that does not wait for the migration Job is a violation on the Deployment", async () => {
            const api = deployment();
            const violations = await stackViolations(coreWaitsForMigration, [job, api]);
            assert.deepStrictEqual(violations, [
                {
                    urn: urnFor(api),
                    message:
                        'Deployment saleor/api runs the Saleor Core image but does not wait for a migration Job; add dependsOn on the batch/v1 Job that runs "manage.py migrate" for the same image.',
                },
            ]);
        });
        it("a Core Deployment that depends on the migration Job passes", async () =>
            assert.deepStrictEqual(await stackViolations(coreWaitsForMigration, [job, deployment({ dependencies: [urnFor(job)] })]), []));
        it("waiting for the Job through another resource counts (secondary region waits for the primary)", async () => {
            const primary = deployment({ name: "api-primary", dependencies: [urnFor(job)] });
            const secondary = deployment({ name: "api-secondary", dependencies: [urnFor(primary)] });
            assert.deepStrictEqual(await stackViolations(coreWaitsForMigration, [job, primary, secondary]), []);
        });
        it("a Job that does not migrate does not count", async () => {
            const collectstatic = migrationJob({
                name: "collectstatic",
                containers: [container({ command: ["python3", "manage.py", "collectstatic"] })],
            });
            assert.strictEqual(
                (await stackViolations(coreWaitsForMigration, [collectstatic, deployment({ dependencies: [urnFor(collectstatic)] })]))
                    .length,
                1,
            );
        });
        it("a derived Core image in ECR is recognised", async () => {
            const ecrCore = deployment({
                containers: [container({ image: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/saleor-core:3.23.5" })],
            });
            assert.strictEqual((await stackViolations(coreWaitsForMigration, [ecrCore])).length, 1);
        });
        it("the dashboard image is not Core", async () =>
            assert.deepStrictEqual(
                await stackViolations(coreWaitsForMigration, [
                    deployment({ component: "dashboard", containers: [container({ image: "ghcr.io/saleor/saleor-dashboard:3.23.0" })] }),
                ]),
                [],
            ));
        it("a Job whose command is unknown during preview might be the migration: no violation", async () => {
            const unknownJob = migrationJob({ containers: [container({ command: UNKNOWN_VALUE })] });
            assert.deepStrictEqual(
                await stackViolations(coreWaitsForMigration, [unknownJob, deployment({ dependencies: [urnFor(unknownJob)] })]),
                [],
            );
        });
        it("an image unknown during preview is not judged", async () =>
            assert.deepStrictEqual(
                await stackViolations(coreWaitsForMigration, [deployment({ containers: [container({ image: UNKNOWN_VALUE })] })]),
                [],
            ));
    });
});

describe("disruption budgets", () => {
    describe("kubernetes-deployment-pod-disruption-budget", () => {
        const pdbFor = (component: string) => podDisruptionBudget({ matchLabels: labels(component) });
        it("a replicated Deployment without a PodDisruptionBudget is a violation on the Deployment", async () => {
            const api = deployment({ replicas: 3 });
            const violations = await stackViolations(deploymentHasDisruptionBudget, [api]);
            assert.strictEqual(violations.length, 1);
            assert.strictEqual(violations[0].urn, urnFor(api));
            assert.match(
                violations[0].message,
                /^Deployment saleor\/api has 3 replicas but no PodDisruptionBudget selects its pods; add a policy\/v1 PodDisruptionBudget in namespace saleor whose selector.matchLabels match/,
            );
        });
        it("a PodDisruptionBudget selecting the pods passes", async () =>
            assert.deepStrictEqual(await stackViolations(deploymentHasDisruptionBudget, [deployment({ replicas: 3 }), pdbFor("api")]), []));
        it("matchExpressions are honoured", async () => {
            const pdb = podDisruptionBudget({
                matchExpressions: [{ key: "app.kubernetes.io/component", operator: "In", values: ["api", "worker"] }],
            });
            assert.deepStrictEqual(await stackViolations(deploymentHasDisruptionBudget, [deployment({ replicas: 3 }), pdb]), []);
        });
        it("a budget for another component does not count", async () =>
            assert.strictEqual(
                (await stackViolations(deploymentHasDisruptionBudget, [deployment({ replicas: 2 }), pdbFor("worker")])).length,
                1,
            ));
        it("a budget in another namespace does not count", async () =>
            assert.strictEqual(
                (
                    await stackViolations(deploymentHasDisruptionBudget, [
                        deployment({ replicas: 2 }),
                        podDisruptionBudget({ matchLabels: labels("api") }, "other"),
                    ])
                ).length,
                1,
            ));
        it("a single-replica Deployment needs no budget", async () =>
            assert.deepStrictEqual(await stackViolations(deploymentHasDisruptionBudget, [deployment({ replicas: 1 })]), []));
        it("a Deployment scaled by an HPA (replicas left to it) needs a budget", async () => {
            const api = deployment({ spec: { replicas: undefined } });
            const violations = await stackViolations(deploymentHasDisruptionBudget, [api, horizontalPodAutoscaler("api")]);
            assert.match(violations[0].message, /is scaled by a HorizontalPodAutoscaler but no PodDisruptionBudget/);
        });
        it("an HPA whose target name is unknown is matched by its dependency on the Deployment", async () => {
            const api = deployment({ spec: { replicas: undefined } });
            const hpa = horizontalPodAutoscaler(UNKNOWN_VALUE, { dependencies: [urnFor(api)] });
            assert.strictEqual((await stackViolations(deploymentHasDisruptionBudget, [api, hpa])).length, 1);
        });
        it("a budget whose selector is unknown during preview might select the pods: no violation", async () =>
            assert.deepStrictEqual(
                await stackViolations(deploymentHasDisruptionBudget, [
                    deployment({ replicas: 3 }),
                    podDisruptionBudget(UNKNOWN_VALUE as never),
                ]),
                [],
            ));
        it("a replica count unknown during preview is not a violation", async () =>
            assert.deepStrictEqual(
                await stackViolations(deploymentHasDisruptionBudget, [deployment({ replicas: UNKNOWN_VALUE as unknown as number })]),
                [],
            ));
        it("StatefulSets are not judged", async () => {
            const outcome = await stackOutcome(deploymentHasDisruptionBudget, [workload("StatefulSet", { replicas: 3 })]);
            assert.match(outcome.notApplicable ?? "", /no Deployments/);
        });
    });
});

describe("Celery beat across the stack", () => {
    describe("kubernetes-celery-beat-one-per-stack", () => {
        const beat = (name: string, replicas?: number) =>
            deployment({
                name,
                component: "beat",
                replicas,
                containers: [
                    container({
                        command: [
                            "celery",
                            "--app",
                            "saleor.celeryconf:app",
                            "beat",
                            "--scheduler",
                            "saleor.schedulers.schedulers.DatabaseScheduler",
                        ],
                    }),
                ],
            });
        it("two regions each running one beat against the shared database is a violation naming both", async () => {
            const violations = await stackViolations(celeryBeatOnePerStack, [beat("beat-de"), beat("beat-nl")]);
            assert.strictEqual(violations.length, 1);
            assert.match(
                violations[0].message,
                /^The stack runs 2 Celery beat schedulers \(Deployment saleor\/beat-de, Deployment saleor\/beat-nl\) for at most 1 database\(s\); run beat only in the primary region/,
            );
        });
        it("one beat in the primary region passes", async () =>
            assert.deepStrictEqual(await stackViolations(celeryBeatOnePerStack, [beat("beat-de"), deployment({ name: "api" })]), []));
        it("a beat command unknown during preview is not judged", async () => {
            const unknownCommand = deployment({ name: "maybe-beat", containers: [container({ command: UNKNOWN_VALUE })] });
            assert.deepStrictEqual(await stackViolations(celeryBeatOnePerStack, [beat("beat-de"), unknownCommand]), []);
        });
    });
});
