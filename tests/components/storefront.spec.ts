import assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import { runUnderMocks } from "../../automation/plan/evaluate";
import { ContainerImage } from "../../components/image";
import { Storefront } from "../../components/storefront";
import { isSecret, registered, Resources } from "../support/harness";

/** What a data tier and the stack's generated secrets hand the storefront. */
const secrets = {
    values: {
        STOREFRONT_CACHE_URL: "redis://:cache-password@cache:6379/2",
        SALEOR_WEBHOOK_SECRET: "webhook-secret",
        REVALIDATE_SECRET: "revalidate-secret",
    },
};

const workload = (replicas: number) => ({
    replicas,
    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    autoscaling: { maxReplicas: 4, targetCpuUtilization: 70 },
});

function storefront(replicas: number) {
    const provider = new k8s.Provider("k8s", {});
    return new Storefront(
        "r1-storefront",
        {
            namespace: "saleor",
            instance: "test-r1",
            image: "registry.example.com/storefront:1.0.0",
            hosts: ["de.example.com", "nl.example.com"],
            scheme: "https",
            workload: workload(replicas),
            ingress: { className: "alb" },
            secrets,
        },
        { providers: [provider] },
    );
}

describe("Storefront", () => {
    it("binds Next.js to every address on port 3000 as the image's nextjs user", async () => {
        const res = await registered(() => storefront(1));
        const pod = (res.one("kubernetes:apps/v1:Deployment", "r1-storefront").inputs as any).spec.template.spec;
        const c = pod.containers[0];
        assert.deepEqual(
            c.env.find((e: any) => e.name === "HOSTNAME"),
            { name: "HOSTNAME", value: "0.0.0.0" },
        );
        assert.equal(c.ports[0].containerPort, 3000);
        assert.equal(pod.securityContext.runAsUser, 1001);
        assert.equal(c.securityContext.readOnlyRootFilesystem, true);
        assert.ok(
            c.volumeMounts.some((m: any) => m.mountPath === "/app/.next/cache"),
            "Next.js writes its cache there",
        );
        assert.ok(c.startupProbe && c.readinessProbe && c.livenessProbe);
    });

    it("serves every market host through one Ingress", async () => {
        const res = await registered(() => storefront(1));
        const ingress = res.one("kubernetes:networking.k8s.io/v1:Ingress", "r1-storefront");
        assert.deepEqual(
            (ingress.inputs as any).spec.rules.map((r: any) => r.host),
            ["de.example.com", "nl.example.com"],
        );
    });

    it("sends / on a market host to its own channel through an Ingress of its own (nginx: app-root)", async () => {
        const res = await registered(() => {
            const provider = new k8s.Provider("k8s", {});
            return new Storefront(
                "r1-storefront",
                {
                    namespace: "saleor",
                    instance: "test-r1",
                    image: "registry.example.com/storefront:1.0.0",
                    hosts: ["de.example.com", "nl.example.com"],
                    scheme: "http",
                    workload: workload(1),
                    secrets,
                    ingress: {
                        className: "nginx",
                        rootRedirect: (path) => ({ annotations: { "nginx.ingress.kubernetes.io/app-root": path } }),
                    },
                    rootPaths: { "nl.example.com": "/channel-nl" },
                },
                { providers: [provider] },
            );
        });
        const main = res.one("kubernetes:networking.k8s.io/v1:Ingress", "r1-storefront").inputs as any;
        assert.deepEqual(
            main.spec.rules.map((r: any) => r.host),
            ["de.example.com"],
        );
        const nl = res.one("kubernetes:networking.k8s.io/v1:Ingress", "r1-storefront-nl.example.com").inputs as any;
        assert.equal(nl.metadata.annotations["nginx.ingress.kubernetes.io/app-root"], "/channel-nl");
        assert.deepEqual(
            nl.spec.rules.map((r: any) => r.host),
            ["nl.example.com"],
        );
    });

    it("autoscales and keeps a disruption budget only when replicated", async () => {
        const single = await registered(() => storefront(1));
        assert.equal(single.ofType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").length, 0);
        assert.equal(single.ofType("kubernetes:policy/v1:PodDisruptionBudget").length, 0);
        const ha = await registered(() => storefront(2));
        assert.equal(ha.ofType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").length, 1);
        assert.equal(ha.ofType("kubernetes:policy/v1:PodDisruptionBudget").length, 1);
    });
});

describe("ContainerImage", () => {
    it("uses a pinned reference as is", async () => {
        const { resources, result } = await runUnderMocks("saleor", "test", () => ({
            ref: new ContainerImage("img", { ref: "ghcr.io/saleor/saleor:3.23.5" }).ref,
        }));
        assert.deepEqual(result, { ref: "ghcr.io/saleor/saleor:3.23.5" });
        assert.equal(new Resources(resources).ofType("docker:index/image:Image").length, 0, "nothing is built");
    });

    it("builds with the given build args, for the nodes' platform, and keeps registry passwords secret", async () => {
        const res = await registered(
            () =>
                new ContainerImage("img", {
                    build: {
                        context: "../storefront",
                        imageName: "123.dkr.ecr.eu-central-1.amazonaws.com/storefront:1.0.0-eu-central-1",
                        args: { NEXT_PUBLIC_SALEOR_API_URL: "https://api.example.com/graphql/" },
                        registry: { server: "123.dkr.ecr.eu-central-1.amazonaws.com", username: "AWS", password: "ecr-token" },
                    },
                }),
        );
        const image = res.one("docker:index/image:Image", "img-image");
        const inputs = image.inputs as any;
        assert.equal(inputs.build.platform, "linux/amd64");
        assert.equal(inputs.build.args.NEXT_PUBLIC_SALEOR_API_URL, "https://api.example.com/graphql/");
        assert.ok(isSecret(inputs.registry.password) || isSecret(inputs.registry));
        assert.ok(!JSON.stringify(inputs).includes('"ecr-token"') || isSecret(inputs.registry));
    });

    it("refuses to be given both a reference and a build", async () => {
        await assert.rejects(
            registered(() => new ContainerImage("img", { ref: "a:1", build: { context: ".", imageName: "a:1" } })),
            /exactly one of args.ref or args.build/,
        );
    });
});
