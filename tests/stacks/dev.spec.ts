import assert from "node:assert/strict";
import { Resources } from "../support/harness";
import { evaluated } from "../support/plans";

describe("dev stack", () => {
    let res: Resources;
    let outputs: any;
    before(async () => {
        const e = await evaluated("dev");
        res = new Resources(e.resources);
        outputs = e.outputs;
    });

    it("evaluates the whole program with one local region on an existing cluster", () => {
        assert.equal(outputs.environment, "dev");
        assert.deepEqual(Object.keys(outputs.regions), ["local"]);
        assert.equal(outputs.regions.local.clusterFlavour, "existing");
        assert.equal(outputs.regions.local.dataFlavour, "in-cluster");
        assert.equal(res.ofType("pulumi:providers:aws").length, 0, "dev needs no AWS at all");
    });

    it("runs one replica of every workload with the mail catcher and in-cluster data", () => {
        // The apps that serve traffic are Argo Rollouts (canaries through ingress-nginx), the rest Deployments.
        const deployments = [...res.ofType("kubernetes:apps/v1:Deployment"), ...res.ofType("kubernetes:argoproj.io/v1alpha1:Rollout")];
        const components = deployments.map((d) => (d.inputs as any).metadata.labels["app.kubernetes.io/component"]).sort();
        assert.deepEqual(components, ["api", "beat", "dashboard", "mailpit", "storefront", "worker"]);
        for (const d of deployments) assert.equal((d.inputs as any).spec.replicas, 1, d.name);
        assert.deepEqual(
            res
                .ofType("kubernetes:apps/v1:StatefulSet")
                .map((s) => s.name)
                .sort(),
            ["local-data-postgres", "local-data-valkey"],
        );
        assert.equal(res.ofType("kubernetes:policy/v1:PodDisruptionBudget").length, 0);
    });

    it("turns DEBUG and the playground on, and serves plain http under localhost", () => {
        const data = (res.one("kubernetes:core/v1:ConfigMap", "local-core-config").inputs as any).data;
        assert.equal(data.DEBUG, "True");
        assert.equal(data.PLAYGROUND_ENABLED, "True");
        assert.equal(data.PUBLIC_URL, "http://api.localhost/");
        const hosts = res
            .ofType("kubernetes:networking.k8s.io/v1:Ingress")
            .flatMap((i) => (i.inputs as any).spec.rules.map((r: any) => r.host))
            .sort();
        assert.deepEqual(hosts, ["api.localhost", "dashboard.localhost", "shop.localhost"]);
    });

    it("computes every output, with endpoints the deploy driver can verify", () => {
        assert.deepEqual(outputs.regions.local.endpoints, {
            api: "http://api.localhost/",
            graphql: "http://api.localhost/graphql/",
            health: "http://api.localhost/health/",
            dashboard: "http://dashboard.localhost/dashboard/",
            storefronts: ["http://shop.localhost/"],
        });
        assert.equal(outputs.regions.local.release, "3.23.5");
    });

    it("builds the storefront locally against the local API and does not push it", () => {
        const image = res.one("docker:index/image:Image", "local-storefront-image");
        const inputs = image.inputs as any;
        assert.equal(inputs.skipPush, true);
        assert.equal(inputs.build.args.NEXT_PUBLIC_SALEOR_API_URL, "http://api.localhost/graphql/");
        assert.equal(inputs.build.network, "host");
        // The API's canary, through its gate Job (which waits for the Rollout to be Healthy).
        const api = res.one("kubernetes:batch/v1:Job", "local-core-api-gate");
        assert.ok(
            image.dependencies.includes(api.urn) || res.ofType("saleor:components:ContainerImage")[0].dependencies.includes(api.urn),
            "the build's code generation needs the API up",
        );
    });

    it("makes the migration Job wait for PostgreSQL and Valkey", () => {
        const job = res.component("kubernetes:batch/v1:Job", "migrations")[0];
        for (const s of res.ofType("kubernetes:apps/v1:StatefulSet")) assert.ok(job.dependencies.includes(s.urn), s.name);
    });

    it("puts the namespace under the restricted Pod Security Standard", () => {
        const ns = res.one("kubernetes:core/v1:Namespace", "local-ns");
        assert.equal((ns.inputs as any).metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
    });
});
