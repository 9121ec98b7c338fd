import assert from "node:assert/strict";
import { argoRolloutsChart } from "../../catalog/charts";
import { defaultThresholds } from "../../components/observability/thresholds";
import { Resources, type RecordedResource } from "../support/harness";
import { evaluated } from "../support/plans";

// How a release reaches shoppers: the API, the storefront and the Dashboard are Argo Rollouts, released as
// canaries (10% → 50% → 100%, the Production Deployment Guide's Phase 3) through the ALB's weighted
// target groups; in dev (any cluster behind ingress-nginx) the same Rollouts are split by nginx's
// canary Ingress and analysed by HTTP calls to the canary. Each spec reads the stack's plan.

const awsStacks = ["staging", "production"] as const;
const regions = ["eu-central-1", "eu-west-1"] as const;

const T = {
    deployment: "kubernetes:apps/v1:Deployment",
    rollout: "kubernetes:argoproj.io/v1alpha1:Rollout",
    service: "kubernetes:core/v1:Service",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    release: "kubernetes:helm.sh/v3:Release",
    analysis: "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    job: "kubernetes:batch/v1:Job",
    role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    image: "docker:index/image:Image",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
} as const;

const inputs = (r: RecordedResource) => r.inputs as any;
const plan = async (stack: string) => new Resources((await evaluated(stack)).resources);
/** The canary workloads of a region: Pulumi name of the workload and the Pulumi name of its stable Service. */
const apps = (region: string) => [
    { name: `${region}-core-api`, component: "api", stable: `${region}-core-api`, canary: `${region}-core-api-canary` },
    { name: `${region}-storefront`, component: "storefront", stable: `${region}-storefront`, canary: `${region}-storefront-canary` },
    {
        name: `${region}-core-dashboard`,
        component: "dashboard",
        stable: `${region}-core-dashboard`,
        canary: `${region}-core-dashboard-canary`,
    },
];
/** The Kubernetes name a mock gives an auto-named object (its id), or the name it was given. */
const k8sName = (r: RecordedResource) => (inputs(r).metadata?.name as string | undefined) ?? r.id.split("/").pop()!;

describe("canary releases (Argo Rollouts through the ALB, and ingress-nginx in dev)", () => {
    const plans: Record<string, Resources> = {};
    before(async () => {
        for (const s of [...awsStacks, "dev"]) plans[s] = await plan(s);
    });

    describe("dev (an existing cluster behind ingress-nginx)", () => {
        const dev = () => plans.dev;
        const controller = () =>
            dev()
                .ofType(T.release)
                .find((r) => r.name === "local-argo-rollouts")!;

        it("RegionalCluster installs the pinned Argo Rollouts chart in its own namespace, without cloud credentials", () => {
            const release = controller();
            assert.ok(release, "local-argo-rollouts");
            const i = inputs(release);
            assert.equal(i.chart, argoRolloutsChart.chart);
            assert.equal(i.version, argoRolloutsChart.version);
            assert.equal(i.repositoryOpts.repo, argoRolloutsChart.repo);
            assert.equal(i.namespace, argoRolloutsChart.namespace);
            assert.equal(i.values.installCRDs, true);
            assert.equal(JSON.stringify(i.values).includes("AWS_"), false, "no AWS settings");
            // The class the dev Ingresses carry, which the controller only handles when told.
            assert.deepEqual(i.values.controller.extraArgs, ["--nginx-ingress-classes=nginx"]);
        });

        for (const app of apps("local")) {
            it(`${app.name}: a Rollout (10% → 50% → 100%) split by ingress-nginx's canary Ingress on every Ingress that routes to it`, () => {
                const res = dev();
                assert.equal(res.ofType(T.deployment).filter((d) => d.name === app.name).length, 0, `no Deployment ${app.name}`);
                const r = res.one(T.rollout, app.name);
                assert.ok(r.dependencies.includes(controller().urn), "created once the controller's CRDs exist");
                const canary = inputs(r).spec.strategy.canary;
                assert.deepEqual(
                    canary.steps.filter((x: any) => "setWeight" in x).map((x: any) => x.setWeight),
                    [10, 50],
                );
                const stable = res.one(T.service, app.stable);
                assert.equal(canary.stableService, k8sName(stable));
                assert.equal(canary.canaryService, k8sName(res.one(T.service, app.canary)));
                assert.equal(canary.trafficRouting.alb, undefined);
                // The Ingresses route to the stable Service's own port (nginx has no ALB action); the
                // controller adds a canary Ingress beside each.
                const routing = res
                    .ofType(T.ingress)
                    .filter((i) =>
                        inputs(i).spec.rules.some((x: any) => x.http.paths.some((p: any) => p.backend.service.name === k8sName(stable))),
                    );
                assert.ok(routing.length > 0);
                for (const i of routing)
                    for (const rule of inputs(i).spec.rules)
                        for (const p of rule.http.paths) assert.equal(p.backend.service.port.name, "http", `${i.name} ${rule.host}`);
                assert.deepEqual([...canary.trafficRouting.nginx.stableIngresses].sort(), routing.map(k8sName).sort());
                assert.equal(inputs(routing[0]).spec.ingressClassName, "nginx");
            });

            it(`${app.name}: analysed by calling its canary Service's health path from the controller; a failed call aborts`, () => {
                const res = dev();
                const analysis = inputs(res.one(T.rollout, app.name)).spec.strategy.canary.analysis;
                assert.ok(analysis, "a background analysis");
                assert.equal(analysis.startingStep, 1);
                const template = res.ofType(T.analysis).find((x) => k8sName(x) === analysis.templates[0].templateName)!;
                assert.ok(template, "its AnalysisTemplate is in the plan");
                assert.ok(template.dependencies.includes(controller().urn));
                const [metric, ...others] = inputs(template).spec.metrics;
                assert.equal(others.length, 0);
                const ns = inputs(res.one(T.rollout, app.name)).metadata.namespace;
                const path = { api: "/health/", dashboard: "/dashboard/", storefront: "/" }[app.component]!;
                assert.equal(
                    metric.provider.web.url,
                    `http://${k8sName(res.one(T.service, app.canary))}.${ns}.svc.cluster.local:80${path}`,
                );
                assert.ok(metric.count >= 3 && metric.count <= 10, `a few measurements: ${metric.count}`);
                assert.ok(metric.failureLimit <= 1 && metric.consecutiveErrorLimit <= 1, "two bad answers abort");
            });

            it(`${app.name}: the update waits for the canary through its gate Job, run by the Core image as Core's user`, () => {
                const res = dev();
                const r = res.one(T.rollout, app.name);
                const gate = res.one(T.job, `${app.name}-gate`);
                assert.ok(gate.dependencies.includes(r.urn));
                const pod = inputs(gate).spec.template.spec;
                assert.equal(pod.containers[0].args[0], k8sName(r));
                const api = inputs(res.one(T.rollout, "local-core-api")).spec.template.spec;
                assert.equal(pod.containers[0].image, api.containers[0].image);
                assert.equal(pod.securityContext.runAsUser, api.securityContext.runAsUser);
            });
        }

        it("the namespace's default-deny admits the controller's web analysis on the apps' ports, and the gates reach the API server", () => {
            const res = dev();
            const policies = res.ofType(T.networkPolicy);
            const fromController = (component: string, port: number) =>
                policies.some((p) => {
                    const spec = inputs(p).spec;
                    return (
                        spec.podSelector.matchLabels?.["app.kubernetes.io/component"] === component &&
                        (spec.ingress ?? []).some(
                            (rule: any) =>
                                rule.ports.some((x: any) => x.port === port) &&
                                rule.from.some(
                                    (f: any) =>
                                        f.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === argoRolloutsChart.namespace &&
                                        f.podSelector === undefined,
                                ),
                        )
                    );
                });
            assert.ok(fromController("api", 8000), "api");
            assert.ok(fromController("dashboard", 80), "dashboard");
            assert.ok(fromController("storefront", 3000), "storefront");
            const api = policies.find((p) => p.name === "local-network-kubernetes-api");
            assert.ok(api, "an egress policy to the API server");
            const values = inputs(api!).spec.podSelector.matchExpressions.find((e: any) => e.key === "app.kubernetes.io/component").values;
            assert.ok(values.includes("rollout-gate"), values.join());
        });
    });

    for (const stack of awsStacks) {
        describe(stack, () => {
            for (const region of regions) {
                for (const app of apps(region)) {
                    it(`${app.name}: a Rollout, not a Deployment, with the guide's steps 10% → 50% → 100%`, () => {
                        const res = plans[stack];
                        assert.equal(
                            res.ofType(T.deployment).filter((d) => d.name === app.name).length,
                            0,
                            `no Deployment ${app.name} beside the Rollout`,
                        );
                        const spec = inputs(res.one(T.rollout, app.name)).spec;
                        const steps = spec.strategy.canary.steps;
                        assert.deepEqual(
                            steps.filter((s: any) => "setWeight" in s).map((s: any) => s.setWeight),
                            [10, 50],
                        );
                        // A pause after each weight: the analysis watches that share of the traffic.
                        assert.ok("pause" in steps[1] && "pause" in steps[3], JSON.stringify(steps));
                        assert.equal(spec.strategy.canary.maxUnavailable, 0);
                        assert.equal(spec.strategy.canary.dynamicStableScale, undefined, "the stable pods stay at full count");
                        assert.ok(spec.rollbackWindow.revisions >= 1, "a rollback to a recent revision skips the steps");
                    });

                    it(`${app.name}: splits traffic through the ALB between a stable and a canary Service, on every Ingress that routes to it`, () => {
                        const res = plans[stack];
                        const canary = inputs(res.one(T.rollout, app.name)).spec.strategy.canary;
                        const stable = res.one(T.service, app.stable);
                        const canaryService = res.one(T.service, app.canary);
                        assert.equal(canary.stableService, k8sName(stable));
                        assert.equal(canary.canaryService, k8sName(canaryService));
                        assert.deepEqual(inputs(canaryService).spec.selector, inputs(stable).spec.selector);
                        assert.deepEqual(inputs(canaryService).spec.ports, inputs(stable).spec.ports);
                        const port = inputs(stable).spec.ports[0].port;
                        assert.equal(canary.trafficRouting.alb.servicePort, port);
                        // Every Ingress whose rules name the stable Service does so through the action the
                        // Rollout controller writes (`use-annotation`), and the Rollout names each of them.
                        const routing = res
                            .ofType(T.ingress)
                            .filter((i) =>
                                inputs(i).spec.rules.some((r: any) =>
                                    r.http.paths.some((p: any) => p.backend.service.name === k8sName(stable)),
                                ),
                            );
                        assert.ok(routing.length > 0);
                        for (const i of routing) {
                            for (const r of inputs(i).spec.rules)
                                for (const p of r.http.paths.filter((x: any) => x.backend.service.name === k8sName(stable)))
                                    assert.equal(p.backend.service.port.name, "use-annotation", `${i.name} ${r.host}${p.path}`);
                        }
                        assert.deepEqual([...canary.trafficRouting.alb.ingresses].sort(), routing.map(k8sName).sort());
                    });

                    it(`${app.name}: keeps the pods a Deployment had: probes, resources, security context, drain, zone spread, config digest`, () => {
                        const res = plans[stack];
                        const template = inputs(res.one(T.rollout, app.name)).spec.template;
                        const pod = template.spec;
                        assert.equal(pod.securityContext.runAsNonRoot, true);
                        assert.equal(pod.automountServiceAccountToken, false);
                        assert.ok(pod.terminationGracePeriodSeconds > 20);
                        const [c] = pod.containers;
                        // The Dashboard (a static SPA behind nginx) has no start-up phase to guard and no drain of its own.
                        const dashboard = app.component === "dashboard";
                        for (const probe of [...(dashboard ? [] : ["startupProbe"]), "readinessProbe", "livenessProbe"])
                            assert.ok(c[probe], `${probe}`);
                        assert.ok(c.resources.requests.cpu && c.resources.limits.memory);
                        assert.equal(c.securityContext.allowPrivilegeEscalation, false);
                        if (!dashboard) assert.deepEqual(c.lifecycle.preStop.exec.command[0], "sleep");
                        if (dashboard) assert.equal(pod.initContainers[0].name, "copy-html", "the init container that copies the SPA");
                        assert.equal(template.metadata.labels["app.kubernetes.io/component"], app.component);
                        if (stack === "production") {
                            const keys = pod.topologySpreadConstraints.map((t: any) => t.topologyKey);
                            assert.deepEqual(keys, ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]);
                        }
                        if (app.component === "api") assert.ok(template.metadata.annotations["saleor.io/config-digest"]);
                    });

                    it(`${app.name}: the update waits for the canary through a gate Job that fails as soon as the Rollout is Degraded`, () => {
                        const res = plans[stack];
                        const r = res.one(T.rollout, app.name);
                        // The provider's own wait would hold an aborted canary for its full timeout and can
                        // read the previous release's Healthy (Argo's observedGeneration is a string).
                        assert.equal(inputs(r).metadata.annotations?.["pulumi.com/waitFor"], undefined);
                        const gate = res.one(T.job, `${app.name}-gate`);
                        assert.ok(gate.dependencies.includes(r.urn), "the gate waits for the Rollout's update");
                        const spec = inputs(gate).spec;
                        assert.equal(spec.backoffLimit, 0, "a Degraded verdict is final");
                        const [c] = spec.template.spec.containers;
                        assert.deepEqual(c.command.slice(0, 2), ["python3", "-c"]);
                        assert.equal(c.args[0], k8sName(r));
                        const paused = inputs(r)
                            .spec.strategy.canary.steps.filter((s: any) => "pause" in s)
                            .reduce((sum: number, s: any) => sum + Number(/^(\d+)m$/.exec(s.pause.duration)![1]) * 60, 0);
                        assert.ok(Number(c.args[1]) > paused + 300, "long enough for every step");
                        assert.ok(spec.activeDeadlineSeconds > Number(c.args[1]));
                        // The Core image (Python, an allowed registry) runs it, as Core's user.
                        assert.equal(c.image, inputs(res.one(T.rollout, `${region}-core-api`)).spec.template.spec.containers[0].image);
                        // Its account may read this one Rollout and nothing else.
                        const role = res.one(T.role, `${app.name}-gate`);
                        assert.deepEqual(inputs(role).rules, [
                            { apiGroups: ["argoproj.io"], resources: ["rollouts"], resourceNames: [k8sName(r)], verbs: ["get"] },
                        ]);
                        assert.equal(spec.template.spec.automountServiceAccountToken, false);
                    });

                    if (app.component === "api" && region === "eu-central-1") {
                        it(`${app.name}: the storefront build waits until the API's canary is through`, () => {
                            const res = plans[stack];
                            const build = res.one(T.image, `${region}-storefront-image`);
                            assert.ok(build.dependencies.includes(res.one(T.job, `${app.name}-gate`).urn));
                        });
                    }

                    it(`${app.name}: is created only once its region's Argo Rollouts controller (and its CRDs) is installed`, () => {
                        const res = plans[stack];
                        const controller = res.ofType(T.release).find((r) => r.name === `${region}-argo-rollouts`)!;
                        assert.ok(controller, `${region}-argo-rollouts`);
                        assert.ok(res.one(T.rollout, app.name).dependencies.includes(controller.urn));
                    });
                }

                it(`${region}: each canary is analysed in the background on the alarms' load-balancer signals and thresholds (${stack})`, () => {
                    const res = plans[stack];
                    const controller = res.ofType(T.release).find((r) => r.name === `${region}-argo-rollouts`)!;
                    // The alarms' own dimension: the same ALB, found by the same lookup.
                    const alarm = res.ofType(T.alarm).find((a) => a.name === `${region}-alarms-alb-5xx-share`);
                    const alarmLb = alarm && inputs(alarm).metricQueries.find((q: any) => q.metric)?.metric.dimensions.LoadBalancer;
                    for (const app of apps(region)) {
                        const analysis = inputs(res.one(T.rollout, app.name)).spec.strategy.canary.analysis;
                        assert.ok(analysis, `${app.name} has a background analysis`);
                        assert.equal(analysis.startingStep, 1, "from the first weight on");
                        const template = res
                            .ofType(T.analysis)
                            .find((x) => k8sName(x) === analysis.templates[0].templateName && x.name.startsWith(region))!;
                        assert.ok(template, `${app.name}: its AnalysisTemplate is in the plan`);
                        assert.ok(template.dependencies.includes(controller.urn), "created once the CRDs exist");
                        const metrics = inputs(template).spec.metrics;
                        const byName = Object.fromEntries(metrics.map((m: any) => [m.name, m]));
                        assert.deepEqual(Object.keys(byName).sort(), ["alb-5xx-share", "alb-p95-latency"]);
                        assert.equal(
                            byName["alb-5xx-share"].successCondition,
                            `all(result[0].Values, {# <= ${defaultThresholds.errorRatePercent}})`,
                        );
                        assert.equal(
                            byName["alb-p95-latency"].successCondition,
                            `all(result[0].Values, {# <= ${defaultThresholds.p95ResponseTimeSeconds}})`,
                        );
                        const queries = byName["alb-5xx-share"].provider.cloudWatch.metricDataQueries;
                        assert.match(queries[0].expression, new RegExp(`^IF\\(total >= ${defaultThresholds.minimumRequests}, `));
                        for (const m of metrics) {
                            for (const q of m.provider.cloudWatch.metricDataQueries.filter((x: any) => x.metricStat)) {
                                assert.equal(q.metricStat.metric.namespace, "AWS/ApplicationELB");
                                const [dim] = q.metricStat.metric.dimensions;
                                assert.equal(dim.name, "LoadBalancer");
                                if (alarmLb !== undefined) assert.equal(dim.value, alarmLb, "the alarms' load balancer");
                                else assert.ok(dim.value);
                            }
                        }
                    }
                });

                it(`${region}: the autoscalers and disruption budgets of the Rollouts are the Deployments' (${stack})`, () => {
                    const res = plans[stack];
                    for (const app of apps(region)) {
                        const rollout = res.one(T.rollout, app.name);
                        const hpa = res.ofType(T.hpa).find((h) => h.name === app.name);
                        // The Dashboard (static files) is not autoscaled, as its Deployment was not.
                        if (stack === "production" && app.component !== "dashboard") {
                            assert.ok(hpa, `${app.name} has an HPA`);
                            assert.deepEqual(inputs(hpa!).spec.scaleTargetRef, {
                                apiVersion: "argoproj.io/v1alpha1",
                                kind: "Rollout",
                                name: k8sName(rollout),
                            });
                            assert.equal(inputs(rollout).spec.replicas, undefined, "the HPA owns the count");
                            const pdb = res.one(T.pdb, app.name);
                            assert.deepEqual(inputs(pdb).spec.selector.matchLabels, inputs(rollout).spec.selector.matchLabels);
                        }
                        if (hpa) assert.equal(inputs(hpa).spec.scaleTargetRef.kind, "Rollout");
                    }
                });
            }

            it("keeps every Ingress of the ALB group on the same load-balancer attributes, and each app's health check", () => {
                const res = plans[stack];
                for (const region of regions) {
                    const attrs = new Set(
                        res
                            .ofType(T.ingress)
                            .filter((i) => i.name.startsWith(`${region}-`))
                            .map((i) => inputs(i).metadata.annotations["alb.ingress.kubernetes.io/load-balancer-attributes"]),
                    );
                    assert.equal(attrs.size, 1, [...attrs].join(" | "));
                    const api = res.ofType(T.ingress).find((i) => i.name === `${region}-core-api`)!;
                    assert.equal(inputs(api).metadata.annotations["alb.ingress.kubernetes.io/healthcheck-path"], "/health/");
                    const dashboard = res.ofType(T.ingress).find((i) => i.name === `${region}-core-dashboard`)!;
                    assert.equal(inputs(dashboard).metadata.annotations["alb.ingress.kubernetes.io/healthcheck-path"], "/dashboard/");
                }
            });
        });
    }
});
