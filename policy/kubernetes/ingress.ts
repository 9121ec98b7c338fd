import { resourceRule } from "../lib/define";
import { isKnown, known, knownList } from "../lib/unknown";
import { describeObject, namespaceOf, objectName } from "./workload";
import { k8s } from "./types";

/** With this annotation the AWS Load Balancer Controller terminates TLS on the ALB with an ACM certificate. */
export const ALB_CERTIFICATE_ANNOTATION = "alb.ingress.kubernetes.io/certificate-arn";

/** A TLS host entry covers a rule host exactly, or as a one-label wildcard (*.example.com). */
function covers(tlsHost: string, host: string): boolean {
    if (tlsHost === host) {
        return true;
    }
    if (tlsHost.startsWith("*.")) {
        const suffix = tlsHost.slice(1);
        return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes(".");
    }
    return false;
}

export const ingressTls = resourceRule({
    name: "kubernetes-ingress-tls-enabled",
    description: "Every Ingress must serve TLS: spec.tls must cover every rules[].host, or an ALB Ingress must carry the alb.ingress.kubernetes.io/certificate-arn annotation.",
    enforcementLevel: "mandatory",
    category: "security",
    type: k8s.networking.Ingress,
    validate: (ingress, { args, report }) => {
        const label = describeObject("Ingress", namespaceOf(() => ingress.metadata), objectName(args, () => ingress.metadata), args);
        const certificate = known(() => ingress.metadata?.annotations?.[ALB_CERTIFICATE_ANNOTATION]);
        if (!isKnown(certificate) || (typeof certificate === "string" && certificate.trim() !== "")) {
            return;
        }
        const tls = knownList(() => ingress.spec?.tls);
        const tlsHosts: string[] = [];
        let tlsHostsUnknown = tls.hasUnknown;
        for (const entry of tls.items) {
            const hosts = knownList(() => entry.hosts);
            tlsHostsUnknown ||= hosts.hasUnknown;
            tlsHosts.push(...hosts.items.map(String));
        }
        const rules = knownList(() => ingress.spec?.rules);
        const hosts: string[] = [];
        for (const rule of rules.items) {
            const host = known(() => rule.host);
            if (isKnown(host) && typeof host === "string" && host !== "") {
                hosts.push(host);
            }
        }
        const orAnnotation = `or the ${ALB_CERTIFICATE_ANNOTATION} annotation on an ALB Ingress`;
        if (hosts.length === 0) {
            if (tls.items.length === 0 && !tls.hasUnknown && !rules.hasUnknown) {
                report(`${label} serves plain HTTP; add spec.tls with a certificate Secret, ${orAnnotation}.`);
            }
            return;
        }
        if (tlsHostsUnknown) {
            return;
        }
        const uncovered = hosts.filter((host) => !tlsHosts.some((tlsHost) => covers(tlsHost, host)));
        if (uncovered.length > 0) {
            report(`${label} serves ${uncovered.join(", ")} without TLS; list them in spec.tls with a certificate Secret, ${orAnnotation}.`);
        }
    },
});
