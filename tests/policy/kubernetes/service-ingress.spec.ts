import { ingressTls, noLoadBalancerServices } from "../../../policy/kubernetes";
import { ingress, service } from "../fixtures/kubernetes";
import { assertPasses, assertViolates, UNKNOWN_VALUE } from "../harness";

describe("Service rules", () => {
    describe("kubernetes-service-no-load-balancer", () => {
        it("a LoadBalancer Service is a violation", () =>
            assertViolates(noLoadBalancerServices, service("LoadBalancer"), /^Service saleor\/api is of type LoadBalancer; make it a ClusterIP Service behind the Ingress, or add "saleor\/api" to allowedLoadBalancers/));
        it("the ingress controller listed in the stack's config passes", () =>
            assertPasses(noLoadBalancerServices, service("LoadBalancer", "ingress-nginx-controller", "ingress-nginx"), { allowedLoadBalancers: ["ingress-nginx/ingress-nginx-controller"] }));
        it("a ClusterIP Service passes", () => assertPasses(noLoadBalancerServices, service("ClusterIP")));
        it("an unknown type is not a violation", () => assertPasses(noLoadBalancerServices, service(UNKNOWN_VALUE)));
    });
});

describe("Ingress rules", () => {
    describe("kubernetes-ingress-tls-enabled", () => {
        const rules = (...hosts: string[]) => hosts.map((host) => ({ host, http: { paths: [{ path: "/", pathType: "Prefix" }] } }));
        it("an Ingress without TLS names the uncovered hosts", () =>
            assertViolates(ingressTls, ingress({ rules: rules("api.example.com", "shop.example.com") }), /^Ingress saleor\/saleor serves api.example.com, shop.example.com without TLS; list them in spec.tls/));
        it("a host missing from spec.tls is a violation", () =>
            assertViolates(ingressTls, ingress({ rules: rules("api.example.com", "shop.example.com"), tls: [{ hosts: ["api.example.com"], secretName: "api-tls" }] }), /serves shop.example.com without TLS/));
        it("a catch-all Ingress without TLS serves plain HTTP", () => assertViolates(ingressTls, ingress({ defaultBackend: { service: { name: "api" } } }), /serves plain HTTP; add spec.tls/));
        it("spec.tls covering every host passes", () =>
            assertPasses(ingressTls, ingress({ rules: rules("api.example.com"), tls: [{ hosts: ["api.example.com"], secretName: "api-tls" }] })));
        it("a wildcard TLS host covers one label", () => assertPasses(ingressTls, ingress({ rules: rules("api.example.com"), tls: [{ hosts: ["*.example.com"] }] })));
        it("a wildcard does not cover deeper names", () =>
            assertViolates(ingressTls, ingress({ rules: rules("a.b.example.com"), tls: [{ hosts: ["*.example.com"] }] }), /serves a.b.example.com without TLS/));
        it("an ALB Ingress with an ACM certificate annotation passes", () =>
            assertPasses(ingressTls, ingress({ ingressClassName: "alb", rules: rules("api.example.com") }, { "alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:eu-central-1:1:certificate/x" })));
        it("a certificate ARN unknown during preview is not a violation", () =>
            assertPasses(ingressTls, ingress({ rules: rules("api.example.com") }, { "alb.ingress.kubernetes.io/certificate-arn": UNKNOWN_VALUE })));
        it("TLS hosts unknown during preview are not a violation", () => assertPasses(ingressTls, ingress({ rules: rules("api.example.com"), tls: [{ hosts: UNKNOWN_VALUE }] })));
    });
});
