import assert from "node:assert/strict";
import * as fs from "node:fs";
import { Resources, type RecordedResource } from "../support/harness";
import { evaluated } from "../support/plans";

// Behaviour shoppers depend on at the edge of every stack: the load balancer's health checks, its
// keep-alive, draining, the storefront's build and its markets. Each spec reads the stack's plan.

const stacks = ["dev", "staging", "production"] as const;
const awsStacks = ["staging", "production"] as const;
const regionsOf = { dev: ["local"], staging: ["eu-central-1", "eu-west-1"], production: ["eu-central-1", "eu-west-1"] } as const;

/** The ALB's idle timeout in seconds (Elastic Load Balancing's default; this stack does not change it). */
const albIdleTimeoutSeconds = 60;

const T = {
    deployment: "kubernetes:apps/v1:Deployment",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    image: "docker:index/image:Image",
    record: "aws:route53/record:Record",
    validation: "aws:acm/certificateValidation:CertificateValidation",
    webAcl: "aws:wafv2/webAcl:WebAcl",
    ipSet: "aws:wafv2/ipSet:IpSet",
} as const;

const inputs = (r: RecordedResource) => r.inputs as any;
const podSpec = (res: Resources, name: string) => inputs(res.workload(name)).spec.template.spec;
const env = (container: any): Record<string, string> => Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value]));
const preStopSleep = (container: any): number => {
    const command: string[] = container.lifecycle?.preStop?.exec?.command ?? [];
    assert.equal(command[0], "sleep", `${container.name} has a preStop sleep`);
    return Number(command[1]);
};

async function plan(stack: string, overrides: Record<string, string> = {}): Promise<Resources> {
    return new Resources((await evaluated(stack, overrides)).resources);
}
/** The build arguments of the stack's one storefront image (built in the home region, the first listed). */
const buildArgs = (res: Resources, home: string): Record<string, string> => inputs(res.one(T.image, `${home}-storefront-image`)).build.args;
const storefrontEnv = (res: Resources, region: string) => env(podSpec(res, `${region}-storefront`).containers[0]);
/** Every market host of each region in the stack files. */
const marketHosts = {
    dev: { local: ["shop.localhost"] },
    staging: { "eu-central-1": ["de.staging.example.com"], "eu-west-1": ["nl.staging.example.com", "be.staging.example.com"] },
    production: { "eu-central-1": ["de.example.com"], "eu-west-1": ["nl.example.com", "be.example.com"] },
} as const;

describe("storefront and API behind a load balancer", () => {
    for (const stack of stacks) {
        describe(`${stack} stack`, () => {
            let res: Resources;
            before(async () => (res = await plan(stack)));

            it("the API keeps idle connections open longer than the ALB (no 502 from a connection uvicorn closed)", () => {
                for (const region of regionsOf[stack]) {
                    const api = podSpec(res, `${region}-core-api`).containers[0];
                    const keepAlive = Number((api.args as string[]).find((a) => a.startsWith("--timeout-keep-alive="))?.split("=")[1]);
                    assert.ok(keepAlive > albIdleTimeoutSeconds, `${region}: --timeout-keep-alive=${keepAlive}`);
                }
            });

            it("the storefront keeps idle connections open longer than the ALB (Next.js closes them after 5 s by default)", () => {
                for (const region of regionsOf[stack]) {
                    const sf = podSpec(res, `${region}-storefront`).containers[0];
                    const ms = Number(env(sf).KEEP_ALIVE_TIMEOUT);
                    assert.ok(ms > albIdleTimeoutSeconds * 1000, `${region}: KEEP_ALIVE_TIMEOUT=${env(sf).KEEP_ALIVE_TIMEOUT}`);
                }
            });

            it("the storefront and the API leave the load balancer before they stop, within their grace period", () => {
                for (const region of regionsOf[stack]) {
                    for (const [name, shutdown] of [
                        [`${region}-storefront`, 0],
                        // uvicorn --timeout-graceful-shutdown after the sleep
                        [`${region}-core-api`, 30],
                    ] as const) {
                        const pod = podSpec(res, name);
                        const sleep = preStopSleep(pod.containers[0]);
                        assert.ok(sleep >= 15, `${name}: preStop sleeps ${sleep} s, too short for the ALB to deregister it`);
                        assert.ok(
                            pod.terminationGracePeriodSeconds > sleep + shutdown,
                            `${name}: grace ${pod.terminationGracePeriodSeconds} s <= preStop ${sleep} s + shutdown ${shutdown} s`,
                        );
                    }
                }
            });
        });
    }
});

describe("ALB health checks", () => {
    const path = "alb.ingress.kubernetes.io/healthcheck-path";
    const codes = "alb.ingress.kubernetes.io/success-codes";
    for (const stack of awsStacks) {
        it(`${stack}: every target group checks a path its pods answer with a success code, so a dead pod leaves the ALB`, async () => {
            const res = await plan(stack);
            for (const region of regionsOf[stack]) {
                const annotations = (name: string) => inputs(res.one(T.ingress, name)).metadata.annotations;
                const api = annotations(`${region}-core-api`);
                assert.equal(api[path], "/health/", "the API's / answers 400 (no host match), /health/ answers 200");
                assert.equal(api[codes], "200");
                const dashboard = annotations(`${region}-core-dashboard`);
                assert.equal(dashboard[path], "/dashboard/");
                assert.equal(dashboard[codes], "200");
                const storefront = annotations(`${region}-storefront`);
                assert.equal(storefront[path], "/");
                assert.ok(
                    String(storefront[codes]).split(",").includes("308"),
                    "the storefront's / redirects (308) to the default channel",
                );
            }
        });
    }
});

describe("storefront build", () => {
    for (const stack of stacks) {
        it(`${stack}: waits until the public API host serves: its Ingress${stack === "dev" ? "" : ", certificate and DNS record"}`, async () => {
            const e = await evaluated(stack);
            const res = new Resources(e.resources);
            // Built once, by the primary (the first region to run), after that region serves the API hosts.
            const [region] = regionsOf[stack];
            const image = res.one(T.image, `${region}-storefront-image`);
            const waitsFor = (type: string, name: string) =>
                assert.ok(image.dependencies.includes(res.one(type, name).urn), `${region}: the build waits for ${type} ${name}`);
            // Its codegen and prerender call NEXT_PUBLIC_SALEOR_API_URL, the public host (package.json prebuild, .graphqlrc.ts).
            waitsFor(T.ingress, `${region}-core-api`);
            if (stack === "dev") return;
            const apiHost = new URL(buildArgs(res, region).NEXT_PUBLIC_SALEOR_API_URL).hostname;
            waitsFor(T.validation, `${region}-edge-certificate`);
            waitsFor(T.record, `${region}-edge-${apiHost}`);
        });
    }
});

describe("markets", () => {
    for (const stack of stacks) {
        it(`${stack}: registration and password reset links may point at every market host, not only the one the image was built for`, async () => {
            const res = await plan(stack);
            const scheme = stack === "dev" ? "http" : "https";
            for (const [region, hosts] of Object.entries(marketHosts[stack])) {
                const allowed = (storefrontEnv(res, region).ALLOWED_EXTRA_ORIGINS ?? "").split(",");
                for (const host of hosts) assert.ok(allowed.includes(`${scheme}://${host}`), `${region}: ${host} in ${allowed}`);
            }
        });
    }

    for (const stack of awsStacks) {
        it(`${stack}: the storefront is built for the home region's primary market, whatever order the engine hands the markets in`, async () => {
            const sorted = (await import("js-yaml")).load(require("fs").readFileSync(`Pulumi.${stack}.yaml`, "utf8")) as any;
            // The engine passes objects as JSON with sorted keys: be before nl.
            const regions = sorted.config["saleor:regions"].map((r: any) => ({
                ...r,
                hosts: { ...r.hosts, storefronts: Object.fromEntries(Object.entries(r.hosts.storefronts).sort()) },
            }));
            // The home region (eu-central-1) has one market; a home region with two would need its primaryMarket.
            const reordered = [
                { ...regions[1], role: "primary" },
                { ...regions[0], role: "secondary" },
            ];
            const res = await plan(stack, { "saleor:regions": JSON.stringify(reordered) });
            const nl = marketHosts[stack]["eu-west-1"][0];
            assert.equal(buildArgs(res, "eu-west-1").NEXT_PUBLIC_STOREFRONT_URL, `https://${nl}`);
            const normal = await plan(stack, { "saleor:regions": JSON.stringify(regions) });
            assert.equal(buildArgs(normal, "eu-central-1").NEXT_PUBLIC_STOREFRONT_URL, `https://${marketHosts[stack]["eu-central-1"][0]}`);
        });

        it(`${stack}: each market opens its own channel, and each region's storefront serves every market's channel`, async () => {
            const channels = { de: "channel-de", nl: "channel-nl", be: "channel-be" };
            const res = await plan(stack, { "saleor:storefront": JSON.stringify({ channels }) });
            assert.equal(buildArgs(res, "eu-central-1").NEXT_PUBLIC_DEFAULT_CHANNEL, "channel-de");
            for (const region of regionsOf[stack])
                assert.equal(storefrontEnv(res, region).STOREFRONT_CHANNELS, "channel-de,channel-nl,channel-be");
            // be is served by the image built for de: its host's / is sent to its own channel by the ALB (in either region).
            const be = marketHosts[stack]["eu-west-1"][1];
            const beIngresses = res
                .ofType(T.ingress)
                .filter((i) => inputs(i).spec.rules.some((r: any) => r.host === be) && i.name.startsWith("eu-west-1"));
            assert.equal(beIngresses.length, 1);
            const rule = inputs(beIngresses[0]).spec.rules.find((r: any) => r.host === be);
            const root = rule.http.paths.find((p: any) => p.path === "/" && p.pathType === "Exact");
            assert.ok(root, `${be}: an exact / rule`);
            assert.equal(root.backend.service.port.name, "use-annotation");
            const action = JSON.parse(
                inputs(beIngresses[0]).metadata.annotations[`alb.ingress.kubernetes.io/actions.${root.backend.service.name}`],
            );
            assert.deepEqual(action, { type: "redirect", redirectConfig: { path: "/channel-be", statusCode: "HTTP_302" } });
            const nl = marketHosts[stack]["eu-west-1"][0];
            const nlRule = res
                .ofType(T.ingress)
                .flatMap((i) => inputs(i).spec.rules)
                .find((r: any) => r.host === nl);
            assert.ok(
                nlRule.http.paths.some((p: any) => p.pathType === "Exact"),
                "nl is not the image's market either: / goes to its channel",
            );
            const de = marketHosts[stack]["eu-central-1"][0];
            const deRule = res
                .ofType(T.ingress)
                .flatMap((i) => inputs(i).spec.rules)
                .find((r: any) => r.host === de);
            assert.ok(!deRule.http.paths.some((p: any) => p.pathType === "Exact"), "the image's market opens the image's default channel");
        });
    }

    for (const stack of stacks) {
        it(`${stack}: the storefront is built with a Dockerfile that declares every argument the stack passes, so the browser bundle gets each switch`, async () => {
            const res = await plan(stack);
            const build = inputs(res.one(T.image, `${regionsOf[stack][0]}-storefront-image`)).build;
            assert.equal(build.dockerfile, "images/storefront/Dockerfile");
            // Docker drops an undeclared build argument with only a warning; Next.js inlines NEXT_PUBLIC_* only if set.
            const builder = fs.readFileSync(build.dockerfile, "utf8").split(/^FROM base AS runner/m)[0];
            for (const arg of Object.keys(build.args)) {
                assert.match(builder, new RegExp(`^ARG ${arg}$`, "m"), `${arg} is declared in the builder stage`);
                assert.match(builder, new RegExp(`^ENV ${arg}=\\$\\{${arg}`, "m"), `${arg} reaches the build's environment`);
            }
        });
    }

    for (const stack of stacks) {
        it(`${stack}: the checkout offers ${stack === "production" ? "Stripe and no test payments" : "test payments (Dummy Payment app)"}`, async () => {
            const res = await plan(stack);
            for (const region of regionsOf[stack]) {
                const e = storefrontEnv(res, region);
                const args = buildArgs(res, regionsOf[stack][0]);
                if (stack === "production") {
                    assert.equal(args.NEXT_PUBLIC_ENABLE_STRIPE_PAYMENTS, "true");
                    assert.equal(e.ENABLE_STRIPE_PAYMENTS, "true");
                    assert.equal(e.ALLOW_DUMMY_PAYMENT, undefined);
                    assert.equal(args.NEXT_PUBLIC_ALLOW_DUMMY_PAYMENT, undefined);
                } else {
                    assert.equal(e.ALLOW_DUMMY_PAYMENT, "true");
                    assert.equal(args.NEXT_PUBLIC_ALLOW_DUMMY_PAYMENT, "true");
                    assert.equal(args.NEXT_PUBLIC_ENABLE_STRIPE_PAYMENTS, undefined);
                }
            }
        });
    }
});

describe("our own servers at the WAF", () => {
    // The storefront renders pages server-side through the public API URL (saleor/storefront
    // src/lib/graphql.ts reads NEXT_PUBLIC_SALEOR_API_URL on the server too), so its calls leave the
    // cluster through the region's NAT gateways and reach the ALB from their addresses.
    for (const stack of awsStacks) {
        it(`${stack}: the region's NAT addresses are allowed ahead of the per-IP rate rule, so shoppers are not throttled as one client`, async () => {
            const res = await plan(stack);
            for (const region of regionsOf[stack]) {
                const acl = res.one(T.webAcl, `${region}-edge-waf`);
                const rules: any[] = inputs(acl).rules;
                const rate = rules.find((r) => r.name === "rate-limit-per-ip");
                const own = rules.find((r) => r.action?.allow && r.statement?.ipSetReferenceStatement);
                assert.ok(own, `${region}: a rule allows an IP set`);
                assert.ok(own.priority < rate.priority, `${region}: it is evaluated before the rate rule`);
                const ipSet = res.ofType(T.ipSet).find((s) => acl.dependencies.includes(s.urn));
                assert.ok(ipSet, `${region}: the ACL uses an IP set`);
                assert.equal(inputs(ipSet).scope, "REGIONAL");
                const nats = res
                    .ofType("aws:ec2/natGateway:NatGateway")
                    .filter((n) => n.name.startsWith(`${region}-`))
                    .map((n) => n.urn);
                assert.ok(nats.length > 0);
                for (const nat of nats) assert.ok(ipSet.dependencies.includes(nat), `${region}: the IP set holds ${nat}'s address`);
            }
        });
    }
});

describe("dev storefront server-side rendering", () => {
    it("dev: the storefront's server reaches the API host inside the cluster (api.localhost is loopback in a pod)", async () => {
        const res = await plan("dev");
        // A Rollout (the canary through ingress-nginx) with the pod template a Deployment would have.
        const deployment = res.one("kubernetes:argoproj.io/v1alpha1:Rollout", "local-storefront");
        const aliases: any[] = inputs(deployment).spec.template.spec.hostAliases ?? [];
        const api = aliases.find((a) => a.hostnames.includes("api.localhost"));
        assert.ok(api, "api.localhost is pinned in the pod's /etc/hosts");
        const service = res.one("kubernetes:core/v1:Service", "local-core-api");
        assert.ok(deployment.dependencies.includes(service.urn), "to the API Service's cluster IP");
        assert.match(api.ip, /^[0-9.]+$/);
    });

    for (const stack of awsStacks) {
        it(`${stack}: the storefront's server goes through the public HTTPS host (the Service speaks plain HTTP)`, async () => {
            const res = await plan(stack);
            for (const region of regionsOf[stack]) assert.equal(podSpec(res, `${region}-storefront`).hostAliases, undefined);
        });
    }
});

describe("the offline plan's NAT addresses", () => {
    it("shows the WAF allow list of the region's own servers as addresses, not 'undefined/32'", async () => {
        const { planOf } = await import("../support/plans");
        const plan = await planOf("staging");
        const sets = plan.steps.filter((s) => s.newState?.type === "aws:wafv2/ipSet:IpSet");
        assert.ok(sets.length > 0);
        for (const s of sets) {
            const addresses = (s.newState!.inputs as { addresses: string[] }).addresses;
            assert.ok(addresses.length > 0 && addresses.every((a) => /^\d+\.\d+\.\d+\.\d+\/32$/.test(a)), addresses.join(", "));
        }
    });
});
