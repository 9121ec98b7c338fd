import * as pulumi from "@pulumi/pulumi";
import type { IngressSettings } from "../components/core";
import type { RegionalEdge } from "../components/edge";
import type { LogTarget } from "../components/logs";
import type { StackConfig } from "../config";
import type { Topology } from "./topology";

/**
 * How every Ingress of a region is exposed. On AWS: one internet-facing ALB per region shared by
 * every Ingress of the stack (the load balancer controller's IngressGroup), TLS for every host with
 * the edge's certificate (or one the controller finds in ACM by host), plain HTTP redirected, and the
 * region's WAF. Elsewhere: the user's ingress controller (nginx).
 */
export function ingressSettings(
    cfg: StackConfig,
    t: Topology,
    onAws: boolean,
    edge: RegionalEdge | undefined,
    albAccessLogs?: LogTarget,
): IngressSettings {
    if (!onAws) {
        return {
            className: cfg.cluster.ingressClassName,
            // The user's nginx front end accepts uploads up to 100 MB; keep the same limit.
            annotations: { "nginx.ingress.kubernetes.io/proxy-body-size": "100m" },
            // ingress-nginx's app-root: a 302 from / to the path, for every host of the Ingress.
            rootRedirect: (path) => ({ annotations: { "nginx.ingress.kubernetes.io/app-root": path } }),
        };
    }
    return {
        className: cfg.cluster.ingressClassName,
        // TLS for every host: the edge's certificate, or one the controller finds in ACM by host.
        tls: {},
        // One internet-facing ALB per region shared by every Ingress of the stack; plain HTTP redirected.
        annotations: {
            ...(edge
                ? {
                      "alb.ingress.kubernetes.io/certificate-arn": edge.certificateArn,
                      "alb.ingress.kubernetes.io/wafv2-acl-arn": edge.webAclArn,
                  }
                : {}),
            "alb.ingress.kubernetes.io/scheme": "internet-facing",
            "alb.ingress.kubernetes.io/target-type": "ip",
            "alb.ingress.kubernetes.io/group.name": albGroupName(t),
            "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
            "alb.ingress.kubernetes.io/ssl-redirect": "443",
            "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            // Load balancer attributes (ELB API LoadBalancerAttribute keys): access logs to the region's
            // bucket, and in production deletion protection, so only a deliberate change removes the
            // ALB. Exclusive in an IngressGroup (the controller's docs/guide/ingress/annotations.md:
            // load-balancer-attributes, Location Ingress, MergeBehavior Exclusive): every Ingress of
            // the group carries the same value.
            ...(albAccessLogs
                ? {
                      "alb.ingress.kubernetes.io/load-balancer-attributes": pulumi.interpolate`access_logs.s3.enabled=true,access_logs.s3.bucket=${albAccessLogs.bucket},access_logs.s3.prefix=${albAccessLogs.prefix},deletion_protection.enabled=${t.protect}`,
                  }
                : {}),
        },
        // Per Ingress: the controller applies health-check annotations to the target groups of the
        // Ingress (or Service) that carries them, not group-wide (kubernetes-sigs/aws-load-balancer-controller
        // docs/guide/ingress/annotations.md: Location "Ingress,Service", MergeBehavior "N/A"). Without
        // them every target group checks "/" for 200, which neither the API (400) nor the storefront
        // (308) answers: all targets unhealthy, and an ALB with no healthy target sends to all of them.
        // A listener action named by the annotation and chosen by an exact / rule whose backend port is
        // `use-annotation` (the controller's annotations.md, "actions"); host, port, protocol and query
        // stay the request's.
        rootRedirect: (path) => ({
            annotations: {
                "alb.ingress.kubernetes.io/actions.root-redirect": JSON.stringify({
                    type: "redirect",
                    redirectConfig: { path, statusCode: "HTTP_302" },
                }),
            },
            rootBackend: { serviceName: "root-redirect", portName: "use-annotation" },
        }),
        healthCheck: (check) => ({
            "alb.ingress.kubernetes.io/healthcheck-path": check.path,
            "alb.ingress.kubernetes.io/success-codes": check.successCodes,
        }),
    };
}

/** The ALB IngressGroup of the stack; the alarms find the load balancer by it. */
export const albGroupName = (t: Topology): string => `saleor-${t.stack}`;
