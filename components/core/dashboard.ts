import type * as k8s from "@pulumi/kubernetes";
import { ConfigMap } from "@pulumi/kubernetes/core/v1/configMap";
import type * as pulumi from "@pulumi/pulumi";
import { createRolloutGate } from "../kubernetes/rollout-gate";
import {
    appLabels,
    containerSecurityContext,
    createAppDeployment,
    createAppService,
    defaultCanarySteps,
    httpProbe,
    resourceRequirements,
    rolloutTimeoutSeconds,
    type CanaryDelivery,
    type CanaryRollout,
    type RunAs,
    type WorkloadSpec,
} from "../kubernetes/workload";
import type { PublicHosts } from "./env";

/** The Dashboard's nginx user (nginx:alpine creates `nginx` as 101); binds port 80 through the unprivileged-port sysctl. */
export const dashboardRunAs: RunAs = { user: 101, group: 101, bindLowPorts: true };

export interface DashboardArgs {
    readonly namespace: pulumi.Input<string>;
    readonly instance: string;
    /** Dashboard image reference; its minor version must equal Core's. */
    readonly image: pulumi.Input<string>;
    readonly spec: WorkloadSpec;
    /** Where the Dashboard's browser calls the API. */
    readonly hosts: PublicHosts;
    /** The stable Service, created first for a canary (`createDashboardServices`). Default: created here. */
    readonly service?: k8s.core.v1.Service;
    /** Release as an Argo Rollouts canary (with its gate Job) instead of a rolling Deployment. Default: a Deployment. */
    readonly canary?: CanaryRollout & { readonly gate: CanaryDelivery["gate"] };
}

/** The Dashboard Service's port (its pods' nginx on `http`, 80). */
export const dashboardServicePort = { name: "http", port: 80, targetPort: "http" };

/** The path the Dashboard answers 200 on: the SPA's index (no health route). */
export const dashboardHealthPath = "/dashboard/";

/**
 * The Dashboard's stable Service (the one its Deployment would have, same name) and its canary's,
 * for a canary whose Ingress names the stable one before the Rollout exists.
 */
export function createDashboardServices(
    name: string,
    args: Pick<DashboardArgs, "namespace" | "instance">,
    parent: pulumi.Resource,
): { readonly stable: k8s.core.v1.Service; readonly canary: k8s.core.v1.Service } {
    const common = { namespace: args.namespace, component: "dashboard", instance: args.instance, servicePort: dashboardServicePort };
    return {
        stable: createAppService(`${name}-dashboard`, common, { parent, dependsOn: undefined }),
        canary: createAppService(`${name}-dashboard-canary`, common, { parent, dependsOn: undefined }),
    };
}

/** The Dashboard (a static SPA served by nginx) and its Service. */
export function createDashboard(name: string, args: DashboardArgs, parent: pulumi.Resource): { readonly service: k8s.core.v1.Service } {
    const ns = args.namespace;
    const instance = args.instance;
    // The Dashboard rewrites its index.html from env at start, so its html directory must be
    // writable: an init container copies it into an emptyDir that the nginx container serves.
    const dashboard = createAppDeployment(
        `${name}-dashboard`,
        {
            namespace: ns,
            instance,
            runAs: dashboardRunAs,
            component: "dashboard",
            spec: args.spec,
            servicePort: dashboardServicePort,
            service: args.service,
            canary: args.canary,
            initContainers: [
                {
                    name: "copy-html",
                    image: args.image,
                    command: ["sh", "-c", "cp -R /app/dashboard/. /html/"],
                    resources: resourceRequirements(args.spec.resources),
                    securityContext: containerSecurityContext(true),
                    volumeMounts: [{ name: "html", mountPath: "/html" }],
                },
            ],
            containers: [
                {
                    name: "dashboard",
                    image: args.image,
                    env: [{ name: "API_URL", value: `${args.hosts.scheme}://${args.hosts.api}/graphql/` }],
                    ports: [{ name: "http", containerPort: 80 }],
                    // No health route: the SPA's index is the check.
                    readinessProbe: httpProbe(dashboardHealthPath, "http", 10, 3),
                    livenessProbe: httpProbe(dashboardHealthPath, "http", 20, 3),
                    resources: resourceRequirements(args.spec.resources),
                    securityContext: containerSecurityContext(true),
                    volumeMounts: [
                        { name: "html", mountPath: "/app/dashboard" },
                        { name: "nginx-cache", mountPath: "/var/cache/nginx" },
                        { name: "nginx-run", mountPath: "/var/run" },
                        { name: "nginx-conf", mountPath: "/etc/nginx/conf.d" },
                    ],
                },
            ],
            volumes: [
                { name: "html", emptyDir: {} },
                { name: "nginx-cache", emptyDir: {} },
                { name: "nginx-run", emptyDir: {} },
                { name: "nginx-conf", configMap: { name: dashboardNginxConfig(name, ns, instance, parent).metadata.name } },
            ],
        },
        { parent },
    );
    // A canary: the update waits for the release through its gate, which fails as soon as it is aborted.
    if (args.canary && dashboard.rollout) {
        createRolloutGate(
            `${name}-dashboard`,
            {
                namespace: ns,
                instance,
                rollout: dashboard.rollout,
                template: dashboard.template!,
                image: args.canary.gate.image,
                runAs: args.canary.gate.runAs,
                timeoutSeconds: rolloutTimeoutSeconds(args.canary.steps ?? defaultCanarySteps),
            },
            { parent },
        );
    }
    return { service: dashboard.service! };
}

/**
 * The image's server block with the pid file and temp paths nginx can write as non-root; the
 * stock config listens on 80 and serves /app/dashboard/ under / and /dashboard/ (same here).
 */
function dashboardNginxConfig(name: string, ns: pulumi.Input<string>, instance: string, parent: pulumi.Resource): k8s.core.v1.ConfigMap {
    return new ConfigMap(
        `${name}-dashboard-nginx`,
        {
            metadata: { namespace: ns, labels: appLabels("dashboard", instance) },
            data: {
                "default.conf": [
                    "server {",
                    "    listen 80;",
                    "    server_name _;",
                    "    root /app/dashboard/;",
                    "    add_header Referrer-Policy origin-when-cross-origin;",
                    "    location / { alias /app/dashboard/; index index.html; try_files $uri $uri/ /dashboard/index.html; }",
                    "    location /dashboard/ { alias /app/dashboard/; index index.html; try_files $uri $uri/ /dashboard/index.html; }",
                    "}",
                ].join("\n"),
            },
        },
        { parent },
    );
}
