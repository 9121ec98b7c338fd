import * as fs from "fs";
import { argoRolloutsChart, externalSecretsChart } from "../../catalog/charts";
import {
    crdSchemaFile,
    crdSchemaFileOf,
    crdValidatorFile,
    crdValidatorFileOf,
    crdValidatorSource,
} from "../../scripts/generate-crd-validators";
import assert from "node:assert/strict";
import { runPlanCli } from "../../automation/plan-cli";
import {
    apiObjectOf,
    parseQuantity,
    rejectionLines,
    schemaKubernetesVersion,
    validateKubernetesObjects,
    type KubernetesRejection,
} from "../../automation/plan/kubernetes-validation";
import type { PlanStep } from "../../automation/plan/json";
import { evaluated, planOf } from "../support/plans";

/**
 * A copy of one object of the dev plan (the mail catcher's Deployment unless told: the apps that serve
 * traffic are Argo Rollouts, whose pod template the CRD leaves open), for a spec to break.
 */
async function devObject(name = "local-data-mailpit", type = "kubernetes:apps/v1:Deployment"): Promise<PlanStep> {
    const doc = await planOf("dev");
    const step = doc.steps.find((s) => s.urn.endsWith(`::${name}`) && s.newState!.type === type);
    assert.ok(step, `the dev plan has ${type} ${name}`);
    return JSON.parse(JSON.stringify(step)) as PlanStep;
}

function rejections(...steps: PlanStep[]): KubernetesRejection[] {
    return validateKubernetesObjects({ steps }).rejections;
}

/** The pod spec of a workload step's inputs. */
const podSpec = (s: PlanStep): any => (s.newState!.inputs as any).spec.template.spec;

describe("Kubernetes validation of the plan", () => {
    for (const stack of ["dev", "staging", "production"]) {
        it(`${stack}: every Kubernetes object is one the API server would accept`, async () => {
            const v = validateKubernetesObjects(await planOf(stack));
            assert.deepEqual(rejectionLines(v), []);
            assert.ok(v.validated.length > 25, `validated ${v.validated.length} objects`);
            // Only Helm releases: External Secrets' and Argo Rollouts' kinds are checked against their CRDs' schemas.
            for (const s of v.skipped) assert.match(s.why, /Helm release/, `${s.urn} skipped: ${s.why}`);
            if (stack !== "dev") assert.ok(v.validated.some((urn) => urn.includes("external-secrets.io/v1:ExternalSecret")));
            // Every stack's canaries (dev's web analyses too).
            assert.ok(v.validated.some((urn) => urn.includes("argoproj.io/v1alpha1:Rollout")));
            assert.ok(v.validated.some((urn) => urn.includes("argoproj.io/v1alpha1:AnalysisTemplate")));
        });
    }

    it("checks External Secrets objects against the pinned chart's CRD schemas, metadata as every object's", async () => {
        const plan = await planOf("production");
        const external = plan.steps.find((s) => s.newState?.type === "kubernetes:external-secrets.io/v1:ExternalSecret")!;
        const store = plan.steps.find((s) => s.newState?.type === "kubernetes:external-secrets.io/v1:ClusterSecretStore")!;
        assert.ok(external && store);
        const bad = structuredClone(external);
        (bad.newState!.inputs as any).spec.refreshInterval = 3600;
        (bad.newState!.inputs as any).spec.secretStoreRef.knd = "ClusterSecretStore";
        (bad.newState!.inputs as any).metadata.labels = { app: 7 };
        const badStore = structuredClone(store);
        (badStore.newState!.inputs as any).spec.provider.aws.service = "ParameterVault";
        assert.deepEqual(
            rejections(bad, badStore).map((r) => `${r.path}: ${r.reason}`),
            [
                "spec.refreshInterval: must be string",
                "metadata.labels.app: must be string",
                "spec.secretStoreRef.knd: unknown field",
                'spec.provider.aws.service: must be equal to one of the allowed values: "SecretsManager", "ParameterStore", "CertificateManager"',
            ],
        );
    });

    it("checks Argo Rollouts objects against the pinned controller's CRD schemas, where they leave the pod template open too", async () => {
        const plan = await planOf("production");
        const rollout = plan.steps.find((s) => s.newState?.type === "kubernetes:argoproj.io/v1alpha1:Rollout")!;
        const template = plan.steps.find((s) => s.newState?.type === "kubernetes:argoproj.io/v1alpha1:AnalysisTemplate")!;
        assert.ok(rollout && template);
        assert.deepEqual(rejections(rollout, template), [], "resources and volumes are preserved fields of the Rollout CRD");
        const bad = structuredClone(rollout);
        (bad.newState!.inputs as any).spec.strategy.canary.stepz = [];
        (bad.newState!.inputs as any).spec.strategy.canary.steps[0].setWeight = "ten";
        const badTemplate = structuredClone(template);
        (badTemplate.newState!.inputs as any).spec.metrics[0].provider.cloudWatch.metricDataQueries[3].metricStat.metric.dimensions = {
            LoadBalancer: "app/x/y",
        };
        assert.deepEqual(
            rejections(bad, badTemplate).map((r) => `${r.path}: ${r.reason}`),
            [
                "spec.strategy.canary.steps[0].setWeight: must be integer",
                "spec.strategy.canary.stepz: unknown field",
                "spec.metrics[0].provider.cloudWatch.metricDataQueries[3].metricStat.metric.dimensions: must be array",
                "spec.metrics[0].provider.cloudWatch.metricDataQueries[3].metricStat.metric.dimensions.LoadBalancer: unknown field",
            ],
        );
    });

    it("has CRD validators generated from the schemas of the Argo Rollouts release the pinned chart ships", () => {
        const schemas = JSON.parse(fs.readFileSync(crdSchemaFileOf("argo-rollouts"), "utf8")) as { source: { tag: string } };
        assert.equal(schemas.source.tag, argoRolloutsChart.appVersion, "move the CRD schemas with the chart");
        assert.equal(
            fs.readFileSync(crdValidatorFileOf("argo-rollouts"), "utf8"),
            crdValidatorSource("argo-rollouts"),
            "run node -r ./automation/register.js scripts/generate-crd-validators.ts",
        );
    });

    it("has CRD validators generated from the schemas of the External Secrets chart catalog/charts.ts pins", () => {
        const schemas = JSON.parse(fs.readFileSync(crdSchemaFile, "utf8")) as { source: { tag: string } };
        assert.equal(schemas.source.tag, `helm-chart-${externalSecretsChart.version}`, "move the CRD schemas with the chart");
        assert.equal(
            fs.readFileSync(crdValidatorFile, "utf8"),
            crdValidatorSource(),
            "run node -r ./automation/register.js scripts/generate-crd-validators.ts",
        );
    });

    it("checks against a schema at most one minor older than the AWS stacks' clusters, never newer", async () => {
        const minor = (v: string) => Number(v.split(".")[1]);
        for (const stack of ["staging", "production"]) {
            const clusters = (await planOf(stack)).steps.filter((s) => s.newState!.type === "aws:eks/cluster:Cluster");
            assert.ok(clusters.length > 0);
            for (const c of clusters) {
                const version = String(c.newState!.inputs.version);
                const behind = minor(version) - minor(schemaKubernetesVersion);
                assert.ok(
                    behind === 0 || behind === 1,
                    `${c.urn} runs Kubernetes ${version}, the schema is ${schemaKubernetesVersion}: move kubernetes-models with the clusters`,
                );
            }
        }
    });

    it("maps a Pulumi type to an API object and skips providers, Helm releases, patches and lists", () => {
        assert.deepEqual(apiObjectOf("kubernetes:apps/v1:Deployment"), { apiVersion: "apps/v1", kind: "Deployment" });
        assert.deepEqual(apiObjectOf("kubernetes:core/v1:Service"), { apiVersion: "v1", kind: "Service" });
        assert.deepEqual(apiObjectOf("kubernetes:networking.k8s.io/v1:Ingress"), { apiVersion: "networking.k8s.io/v1", kind: "Ingress" });
        for (const t of [
            "kubernetes:helm.sh/v3:Release",
            "kubernetes:apps/v1:DeploymentPatch",
            "kubernetes:core/v1:ConfigMapList",
            "pulumi:providers:kubernetes",
        ])
            assert.ok("skip" in apiObjectOf(t), t);
    });

    it("reads Kubernetes quantities", () => {
        assert.equal(parseQuantity("250m"), 0.25);
        assert.equal(parseQuantity("1.5"), 1.5);
        assert.equal(parseQuantity(2), 2);
        assert.equal(parseQuantity("512Mi"), 512 * 2 ** 20);
        assert.equal(parseQuantity("1G"), 1e9);
        assert.equal(parseQuantity("1e3"), 1000);
        assert.equal(parseQuantity("lots"), undefined);
    });

    it("refuses a request above its limit", async () => {
        const d = await devObject();
        podSpec(d).containers[0].resources = { requests: { cpu: "2", memory: "1Gi" }, limits: { cpu: "1500m", memory: "1Gi" } };
        assert.deepEqual(rejections(d), [
            {
                urn: d.urn,
                path: "spec.template.spec.containers[0].resources.requests.cpu",
                reason: "must be less than or equal to cpu limit of 1500m (request 2)",
            },
        ]);
    });

    it("refuses a selector that does not match the template's labels", async () => {
        const d = await devObject();
        (d.newState!.inputs as any).spec.template.metadata.labels["app.kubernetes.io/component"] = "mailpitt";
        const [r, ...more] = rejections(d);
        assert.equal(more.length, 0);
        assert.equal(r.urn, d.urn);
        assert.equal(r.path, "spec.selector.matchLabels.app.kubernetes.io/component");
        assert.match(r.reason, /selector does not match template labels: "mailpit", but spec\.template\.metadata\.labels has "mailpitt"/);
    });

    it("refuses an empty selector", async () => {
        const d = await devObject();
        (d.newState!.inputs as any).spec.selector = {};
        assert.deepEqual(
            rejections(d).map((r) => [r.path, r.reason]),
            [["spec.selector", "empty selector is invalid: it would select every pod"]],
        );
    });

    it("refuses names that are not DNS-1123: the object's, a container's, and an auto-name from a long resource name", async () => {
        const d = await devObject();
        (d.newState!.inputs as any).metadata.name = "Saleor_API";
        podSpec(d).containers[0].name = "API";
        const found = rejections(d).map((r) => [r.path, r.reason]);
        assert.deepEqual(found, [
            [
                "metadata.name",
                `"Saleor_API" is not a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit`,
            ],
            [
                "spec.template.spec.containers[0].name",
                `"API" is not a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit`,
            ],
        ]);

        // A Service named by Pulumi: its resource name plus a suffix must be a DNS-1035 label of at most 63 characters.
        const svc = await devObject("local-core-api", "kubernetes:core/v1:Service");
        assert.equal((svc.newState!.inputs as any).metadata.name, undefined, "the dev Service is auto-named");
        const long = "local-core-api-" + "x".repeat(50);
        svc.urn = svc.urn.replace(/::local-core-api$/, `::${long}`);
        const [r] = rejections(svc);
        assert.equal(r.path, "metadata.name");
        assert.match(
            r.reason,
            /auto-named from the resource name "local-core-api-x+" plus a suffix: ".*" is 74 characters; a DNS-1035 label has at most 63/,
        );
    });

    it("refuses a port name of 16 characters and one that is not an IANA_SVC_NAME", async () => {
        const d = await devObject();
        podSpec(d).containers[0].ports[0].name = "http-api-server1";
        assert.deepEqual(
            rejections(d).map((r) => [r.path, r.reason]),
            [
                [
                    "spec.template.spec.containers[0].ports[0].name",
                    `"http-api-server1" is 16 characters; a port name (IANA_SVC_NAME) has at most 15`,
                ],
            ],
        );
        podSpec(d).containers[0].ports[0].name = "8000";
        assert.match(rejections(d)[0].reason, /must contain at least one letter/);
    });

    it("refuses a port name used twice in one pod, across containers too", async () => {
        const d = await devObject();
        const [api] = podSpec(d).containers;
        podSpec(d).containers.push({ name: "sidecar", image: "busybox:1.36", ports: [{ name: api.ports[0].name, containerPort: 9000 }] });
        const [r, ...more] = rejections(d);
        assert.equal(more.length, 0);
        assert.equal(r.path, "spec.template.spec.containers[1].ports[0].name");
        assert.match(
            r.reason,
            /is already the name of spec\.template\.spec\.containers\[0\]\.ports\[0\]: port names must be unique in a pod/,
        );
    });

    it("refuses a field the API does not have, at any depth", async () => {
        const d = await devObject();
        podSpec(d).containers[0].imagePullPolicyy = "Always";
        (d.newState!.inputs as any).spec.replica = 2;
        assert.deepEqual(
            rejections(d).map((r) => [r.path, r.reason]),
            [
                ["spec.template.spec.containers[0].imagePullPolicyy", "unknown field"],
                ["spec.replica", "unknown field"],
            ],
        );
    });

    it("refuses a value of the wrong type and one outside an enum", async () => {
        const d = await devObject();
        (d.newState!.inputs as any).spec.replicas = "two";
        podSpec(d).containers[0].imagePullPolicy = "Sometimes";
        const found = rejections(d).map((r) => [r.path, r.reason]);
        assert.deepEqual(found, [
            ["spec.replicas", "must be integer"],
            [
                "spec.template.spec.containers[0].imagePullPolicy",
                'must be equal to one of the allowed values: "Always", "IfNotPresent", "Never"',
            ],
        ]);
    });

    it("lets values the plan cannot know or must not show pass: [unknown] and [secret] anywhere", async () => {
        const d = await devObject();
        const inputs = d.newState!.inputs as any;
        inputs.metadata.name = "[unknown]";
        inputs.spec.replicas = "[unknown]";
        inputs.spec.selector.matchLabels["app.kubernetes.io/instance"] = "[unknown]";
        const c = podSpec(d).containers[0];
        c.resources = { requests: { cpu: "[unknown]", memory: "1Gi" }, limits: { cpu: "1", memory: "[secret]" } };
        c.env = "[secret]";
        c.ports[0].name = "[unknown]";
        c.image = "[unknown]";
        podSpec(d).volumes = "[unknown]";
        const secret = await devObject("local-core-env", "kubernetes:core/v1:Secret");
        assert.equal((secret.newState!.inputs as any).stringData, "[secret]");
        assert.deepEqual(rejections(d, secret), []);
    });

    it("npm run plan exits 5 with the URN, path and reason of each object the API server would reject", async () => {
        const dev = await evaluated("dev");
        const resources = dev.resources.map((r) =>
            r.type === "kubernetes:core/v1:ConfigMap" && r.urn === dev.resources.find((x) => x.type === r.type)!.urn
                ? { ...r, inputs: { ...r.inputs, metadata: { ...(r.inputs.metadata as object), name: "Not_A_Name" }, binary: true } }
                : r,
        );
        const urn = resources.find((r) => (r.inputs.metadata as { name?: string } | undefined)?.name === "Not_A_Name")!.urn;
        let stderr = "";
        let stdout = "";
        const code = await runPlanCli(
            ["--stack", "dev", "--no-policy"],
            (s) => (stdout += s),
            (s) => (stderr += s),
            async () => ({ evaluation: { ...dev, resources } }),
        );
        assert.equal(code, 5);
        assert.equal(stdout, "");
        assert.deepEqual(stderr.trim().split("\n"), [
            `the Kubernetes API server would reject ${urn}: binary: unknown field`,
            `the Kubernetes API server would reject ${urn}: metadata.name: "Not_A_Name" is not a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit`,
        ]);
    });

    it("--help names exit code 5", async () => {
        let out = "";
        await runPlanCli(["--help"], (s) => (out += s));
        assert.match(out, /5 the plan holds an object\s+an API would refuse: a Kubernetes object the API server would reject/);
    });
});
