import { albIngressWaf, ingressTls, noLoadBalancerServices } from "../../../policy/kubernetes";
import { ingress, service } from "../fixtures/kubernetes";
import { assertPasses, assertViolates, UNKNOWN_VALUE } from "../harness";

describe("Service rules", () => {
    describe("kubernetes-service-no-load-balancer", () => {
        it("a LoadBalancer Service is a violation", () =>
            assertViolates(
                noLoadBalancerServices,
                service("LoadBalancer"),
                /^Service saleor\/api is of type LoadBalancer; make it a ClusterIP Service behind the Ingress, or add "saleor\/api" to allowedLoadBalancers/,
            ));
        it("the ingress controller listed in the stack's config passes", () =>
            assertPasses(noLoadBalancerServices, service("LoadBalancer", "ingress-nginx-controller", "ingress-nginx"), {
                allowedLoadBalancers: ["ingress-nginx/ingress-nginx-controller"],
            }));
        it("a ClusterIP Service passes", () => assertPasses(noLoadBalancerServices, service("ClusterIP")));
        it("an unknown type is not a violation", () => assertPasses(noLoadBalancerServices, service(UNKNOWN_VALUE)));
    });
});

describe("Ingress rules", () => {
    describe("kubernetes-ingress-tls-enabled", () => {
        const rules = (...hosts: string[]) => hosts.map((host) => ({ host, http: { paths: [{ path: "/", pathType: "Prefix" }] } }));
        it("an Ingress without TLS names the uncovered hosts", () =>
            assertViolates(
                ingressTls,
                ingress({ rules: rules("api.example.com", "shop.example.com") }),
                /^Ingress saleor\/saleor serves api.example.com, shop.example.com without TLS; list them in spec.tls/,
            ));
        it("a host missing from spec.tls is a violation", () =>
            assertViolates(
                ingressTls,
                ingress({
                    rules: rules("api.example.com", "shop.example.com"),
                    tls: [{ hosts: ["api.example.com"], secretName: "api-tls" }],
                }),
                /serves shop.example.com without TLS/,
            ));
        it("a catch-all Ingress without TLS serves plain HTTP", () =>
            assertViolates(ingressTls, ingress({ defaultBackend: { service: { name: "api" } } }), /serves plain HTTP; add spec.tls/));
        it("spec.tls covering every host passes", () =>
            assertPasses(
                ingressTls,
                ingress({ rules: rules("api.example.com"), tls: [{ hosts: ["api.example.com"], secretName: "api-tls" }] }),
            ));
        it("a wildcard TLS host covers one label", () =>
            assertPasses(ingressTls, ingress({ rules: rules("api.example.com"), tls: [{ hosts: ["*.example.com"] }] })));
        it("a wildcard does not cover deeper names", () =>
            assertViolates(
                ingressTls,
                ingress({ rules: rules("a.b.example.com"), tls: [{ hosts: ["*.example.com"] }] }),
                /serves a.b.example.com without TLS/,
            ));
        it("an ALB Ingress with an ACM certificate annotation passes", () =>
            assertPasses(
                ingressTls,
                ingress(
                    { ingressClassName: "alb", rules: rules("api.example.com") },
                    { "alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:eu-central-1:1:certificate/x" },
                ),
            ));
        it("a certificate ARN unknown during preview is not a violation", () =>
            assertPasses(
                ingressTls,
                ingress({ rules: rules("api.example.com") }, { "alb.ingress.kubernetes.io/certificate-arn": UNKNOWN_VALUE }),
            ));
        it("TLS hosts unknown during preview are not a violation", () =>
            assertPasses(ingressTls, ingress({ rules: rules("api.example.com"), tls: [{ hosts: UNKNOWN_VALUE }] })));
    });

    describe("kubernetes-ingress-alb-waf-enabled", () => {
        const spec = (ingressClassName?: string) => ({
            ...(ingressClassName ? { ingressClassName } : {}),
            rules: [{ host: "api.example.com" }],
        });
        const internetFacing = { "alb.ingress.kubernetes.io/scheme": "internet-facing" };
        const webAcl = { "alb.ingress.kubernetes.io/wafv2-acl-arn": "arn:aws:wafv2:eu-central-1:123456789012:regional/webacl/edge/1" };
        it("an internet-facing ALB Ingress without a web ACL is a violation that names the Ingress and the annotation to add", () =>
            assertViolates(
                albIngressWaf,
                ingress(spec("alb"), internetFacing),
                /^Ingress saleor\/saleor is an internet-facing ALB without a WAF; add the alb\.ingress\.kubernetes\.io\/wafv2-acl-arn annotation with the ARN of a regional WAFv2 web ACL\.$/,
            ));
        it("the legacy kubernetes.io/ingress.class annotation makes an Ingress an ALB Ingress too", () =>
            assertViolates(
                albIngressWaf,
                ingress(spec(), { "kubernetes.io/ingress.class": "alb", ...internetFacing }),
                /without a WAF; add the alb\.ingress\.kubernetes\.io\/wafv2-acl-arn annotation/,
            ));
        it("an empty web ACL annotation is a violation", () =>
            assertViolates(
                albIngressWaf,
                ingress(spec("alb"), { ...internetFacing, "alb.ingress.kubernetes.io/wafv2-acl-arn": " " }),
                /without a WAF/,
            ));
        it("an internet-facing ALB Ingress with a wafv2-acl-arn passes", () =>
            assertPasses(albIngressWaf, ingress(spec("alb"), { ...internetFacing, ...webAcl })));
        it("a web ACL ARN unknown during preview counts as present", () =>
            assertPasses(
                albIngressWaf,
                ingress(spec("alb"), { ...internetFacing, "alb.ingress.kubernetes.io/wafv2-acl-arn": UNKNOWN_VALUE }),
            ));
        it("an internal ALB Ingress is not judged, whether internal is explicit or the controller's default", async () => {
            await assertPasses(albIngressWaf, ingress(spec("alb"), { "alb.ingress.kubernetes.io/scheme": "internal" }));
            await assertPasses(albIngressWaf, ingress(spec("alb")));
        });
        it("an nginx Ingress is not judged, even with an internet-facing scheme annotation", () =>
            assertPasses(albIngressWaf, ingress(spec("nginx"), internetFacing)));
        it("an Ingress whose class or scheme is unknown during preview is not judged", async () => {
            await assertPasses(albIngressWaf, ingress(spec(UNKNOWN_VALUE), internetFacing));
            await assertPasses(albIngressWaf, ingress(spec("alb"), { "alb.ingress.kubernetes.io/scheme": UNKNOWN_VALUE }));
        });
        it("the WAF Classic waf-acl-id annotation is rejected with wafv2-acl-arn as the fix", () =>
            assertViolates(
                albIngressWaf,
                ingress(spec("alb"), { ...internetFacing, "alb.ingress.kubernetes.io/waf-acl-id": "499e8b99-6671-4614-a86d-adb1810b7fbe" }),
                /^Ingress saleor\/saleor attaches an AWS WAF Classic web ACL \(alb\.ingress\.kubernetes\.io\/waf-acl-id\), which is deprecated; remove it and attach a WAFv2 web ACL with the alb\.ingress\.kubernetes\.io\/wafv2-acl-arn annotation\.$/,
            ));
        it("the WAF Classic annotation is rejected even next to a wafv2-acl-arn, and when its value is unknown", async () => {
            await assertViolates(
                albIngressWaf,
                ingress(spec("alb"), { ...internetFacing, ...webAcl, "alb.ingress.kubernetes.io/waf-acl-id": "499e8b99" }),
                /WAF Classic/,
            );
            await assertViolates(
                albIngressWaf,
                ingress(spec("alb"), { ...internetFacing, "alb.ingress.kubernetes.io/waf-acl-id": UNKNOWN_VALUE }),
                /WAF Classic/,
            );
        });
    });
});
