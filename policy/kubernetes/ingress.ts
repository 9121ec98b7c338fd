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
    description:
        "Every Ingress must serve TLS: spec.tls must cover every rules[].host, or an ALB Ingress must carry the alb.ingress.kubernetes.io/certificate-arn annotation.",
    enforcementLevel: "mandatory",
    category: "security",
    type: k8s.networking.Ingress,
    validate: (ingress, { args, report }) => {
        const label = describeObject(
            "Ingress",
            namespaceOf(() => ingress.metadata),
            objectName(args, () => ingress.metadata),
            args,
        );
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
            report(
                `${label} serves ${uncovered.join(", ")} without TLS; list them in spec.tls with a certificate Secret, ${orAnnotation}.`,
            );
        }
    },
});

/** The IngressClass name (spec.ingressClassName, or the legacy annotation) the AWS Load Balancer Controller watches. */
export const ALB_INGRESS_CLASS = "alb";
export const LEGACY_INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class";
export const ALB_SCHEME_ANNOTATION = "alb.ingress.kubernetes.io/scheme";
/** Associates a regional AWS WAF (v2) web ACL with the Ingress's ALB. */
export const ALB_WAFV2_ANNOTATION = "alb.ingress.kubernetes.io/wafv2-acl-arn";
/** Associates an AWS WAF Classic web ACL: WAF Classic is deprecated, so the rule refuses it. */
export const ALB_WAF_CLASSIC_ANNOTATION = "alb.ingress.kubernetes.io/waf-acl-id";

function isNonEmptyString(value: unknown): boolean {
    return typeof value === "string" && value.trim() !== "";
}

/*
 * Which Ingresses are judged:
 * - an ALB Ingress: spec.ingressClassName or the legacy kubernetes.io/ingress.class annotation is "alb";
 * - internet-facing: alb.ingress.kubernetes.io/scheme is "internet-facing". Without the annotation the
 *   AWS Load Balancer Controller makes the ALB internal (the annotation's default is `internal`:
 *   https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#scheme),
 *   so an Ingress without it is not judged.
 * The rule reads each Ingress's own annotations. It does not follow IngressGroups (group.name) or
 * IngressClassParams, where scheme and web ACL can also be set for a whole ALB: every Ingress that
 * declares itself internet-facing must name its web ACL itself, as the program's Ingresses do.
 *
 * alb.ingress.kubernetes.io/waf-acl-id attaches an AWS WAF Classic web ACL (same page, #waf-acl-id).
 * WAF Classic is deprecated (AWS: "AWS WAF Classic support will end on September 30, 2025",
 * https://docs.aws.amazon.com/waf/latest/developerguide/classic-waf-chapter.html), so it never
 * satisfies the rule: it is reported, with wafv2-acl-arn as the fix.
 */
export const albIngressWaf = resourceRule({
    name: "kubernetes-ingress-alb-waf-enabled",
    description: `Every internet-facing ALB Ingress must attach a WAFv2 web ACL with the ${ALB_WAFV2_ANNOTATION} annotation, never the deprecated WAF Classic ${ALB_WAF_CLASSIC_ANNOTATION}.`,
    enforcementLevel: "mandatory",
    category: "security",
    type: k8s.networking.Ingress,
    validate: (ingress, { args, report }) => {
        const className = known(() => ingress.spec?.ingressClassName);
        const legacyClass = known(() => ingress.metadata?.annotations?.[LEGACY_INGRESS_CLASS_ANNOTATION]);
        if (className !== ALB_INGRESS_CLASS && legacyClass !== ALB_INGRESS_CLASS) {
            // Another controller's Ingress (nginx), or a class not known yet: not judged.
            return;
        }
        const scheme = known(() => ingress.metadata?.annotations?.[ALB_SCHEME_ANNOTATION]);
        if (scheme !== "internet-facing") {
            // Internal (explicitly or by the controller's default), or a scheme not known yet.
            return;
        }
        const label = describeObject(
            "Ingress",
            namespaceOf(() => ingress.metadata),
            objectName(args, () => ingress.metadata),
            args,
        );
        // An unknown value is still the annotation being set: WAF Classic either way.
        const classic = known(() => ingress.metadata?.annotations?.[ALB_WAF_CLASSIC_ANNOTATION]);
        if (!isKnown(classic) || isNonEmptyString(classic)) {
            report(
                `${label} attaches an AWS WAF Classic web ACL (${ALB_WAF_CLASSIC_ANNOTATION}), which is deprecated; remove it and attach a WAFv2 web ACL with the ${ALB_WAFV2_ANNOTATION} annotation.`,
            );
            return;
        }
        const webAcl = known(() => ingress.metadata?.annotations?.[ALB_WAFV2_ANNOTATION]);
        if (!isKnown(webAcl) || isNonEmptyString(webAcl)) {
            // A web ACL ARN unknown during preview (the edge's ACL is created in the same update) is present.
            return;
        }
        report(
            `${label} is an internet-facing ALB without a WAF; add the ${ALB_WAFV2_ANNOTATION} annotation with the ARN of a regional WAFv2 web ACL.`,
        );
    },
});
