import type * as k8s from "@pulumi/kubernetes";
import { ConfigMap } from "@pulumi/kubernetes/core/v1/configMap";
import type * as pulumi from "@pulumi/pulumi";
import {
    appLabels,
    containerSecurityContext,
    createAppDeployment,
    httpProbe,
    resourceRequirements,
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
            servicePort: { name: "http", port: 80, targetPort: "http" },
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
                    readinessProbe: httpProbe("/dashboard/", "http", 10, 3),
                    livenessProbe: httpProbe("/dashboard/", "http", 20, 3),
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
