import type * as k8s from "@pulumi/kubernetes";
import { StatefulSet } from "@pulumi/kubernetes/apps/v1/statefulSet";
import { PersistentVolumeClaim } from "@pulumi/kubernetes/core/v1/persistentVolumeClaim";
import { Secret } from "@pulumi/kubernetes/core/v1/secret";
import { Service } from "@pulumi/kubernetes/core/v1/service";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
    appLabels,
    containerSecurityContext,
    createAppDeployment,
    podSecurityContext,
    secretEnv,
    selectorLabels,
    type RunAs,
} from "../kubernetes/workload";
import type { ConnectionFacts, InClusterDataArgs } from "./types";

// uid/gid the official images create for their service user: postgres:*-alpine adds `postgres` as 70,
// valkey/valkey:*-alpine adds `valkey` as 999. Mailpit needs no user of its own.
const postgresUser: RunAs = { user: 70, group: 70 };
const valkeyUser: RunAs = { user: 999, group: 999 };
const mailpitUser: RunAs = { user: 1000, group: 1000 };

/** In-cluster PostgreSQL, Valkey, media volume and mail catcher (dev). */
export function createInClusterData(name: string, args: InClusterDataArgs, parent: pulumi.ComponentResource): ConnectionFacts {
    const opts: pulumi.CustomResourceOptions = { parent };
    const ns = args.namespace;
    const host = (service: pulumi.Output<string>) => pulumi.interpolate`${service}.${ns}.svc.cluster.local`;

    // Letters and digits only: the password sits inside URLs, and no encoding quirk should break them.
    const dbPassword = new random.RandomPassword(`${name}-postgres-password`, { length: 32, special: false }, opts);
    const cachePassword = new random.RandomPassword(`${name}-valkey-password`, { length: 32, special: false }, opts);

    const credentials = new Secret(
        `${name}-credentials`,
        {
            metadata: { namespace: ns, labels: appLabels("data", args.instance) },
            type: "Opaque",
            stringData: { POSTGRES_PASSWORD: dbPassword.result, VALKEY_PASSWORD: cachePassword.result },
        },
        opts,
    );

    const postgres = createStatefulService(
        `${name}-postgres`,
        {
            args,
            component: "postgres",
            serviceName: "saleor-postgres",
            runAs: postgresUser,
            port: { name: "postgres", port: 5432 },
            storage: args.databaseStorage,
            mountPath: "/var/lib/postgresql/data",
            container: {
                image: args.postgresImage,
                env: [
                    { name: "POSTGRES_USER", value: "saleor" },
                    { name: "POSTGRES_DB", value: "saleor" },
                    secretEnv("POSTGRES_PASSWORD", credentials.metadata.name),
                    // A sub-directory: the volume's root may hold lost+found, which initdb refuses.
                    { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
                ],
                readinessProbe: {
                    exec: { command: ["pg_isready", "-U", "saleor", "-d", "saleor"] },
                    periodSeconds: 5,
                    failureThreshold: 6,
                },
                livenessProbe: {
                    exec: { command: ["pg_isready", "-U", "saleor", "-d", "saleor"] },
                    periodSeconds: 15,
                    failureThreshold: 6,
                    initialDelaySeconds: 30,
                },
                resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
            },
        },
        opts,
    );

    const valkey = createStatefulService(
        `${name}-valkey`,
        {
            args,
            component: "valkey",
            serviceName: "saleor-valkey",
            runAs: valkeyUser,
            port: { name: "redis", port: 6379 },
            storage: "1Gi",
            mountPath: "/data",
            container: {
                image: args.valkeyImage,
                command: ["valkey-server"],
                // $(VAR) is expanded by the kubelet, so the password never appears in the pod spec.
                // Expiry (x) and eviction (e) events as keyevent notifications (E): the storefront's page
                // cache handlers follow them to drop their in-memory index of what the server holds
                // (@trieb.work/nextjs-turbo-redis-cache, README "Getting started"; it checks the setting).
                args: ["--requirepass", "$(VALKEY_PASSWORD)", "--appendonly", "yes", "--dir", "/data", "--notify-keyspace-events", "Exe"],
                env: [
                    secretEnv("VALKEY_PASSWORD", credentials.metadata.name),
                    secretEnv("REDISCLI_AUTH", credentials.metadata.name, "VALKEY_PASSWORD"),
                ],
                readinessProbe: { exec: { command: ["valkey-cli", "ping"] }, periodSeconds: 5, failureThreshold: 6 },
                livenessProbe: { tcpSocket: { port: "redis" }, periodSeconds: 15, failureThreshold: 4 },
                resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
            },
        },
        opts,
    );

    const media = new PersistentVolumeClaim(
        `${name}-media`,
        {
            metadata: { namespace: ns, labels: appLabels("media", args.instance) },
            spec: {
                // Every Core pod (API, worker, beat, Jobs) mounts it at /app/media, MEDIA_ROOT: media, and
                // Saleor's private storage, which without a private bucket is a FileSystemStorage under
                // MEDIA_ROOT (saleor/settings.py 3.23.5, 582-584) holding every webhook's payload, written
                // by the API and read back by the worker. ReadWriteOnce shares a volume between pods on
                // one node (a single-node kind, minikube or Docker Desktop, whose provisioners offer
                // nothing else); a cluster with more nodes needs ReadWriteMany from its storage class, or
                // the worker lands on a node that cannot mount it. The aws flavour uses buckets instead.
                accessModes: [args.mediaAccessMode ?? "ReadWriteOnce"],
                storageClassName: args.storageClassName,
                resources: { requests: { storage: args.mediaStorage } },
            },
        },
        opts,
    );

    let smtpUrl: pulumi.Output<string> | undefined;
    const readyAfter: pulumi.Resource[] = [postgres.statefulSet, valkey.statefulSet];
    if (args.mailCatcherImage) {
        const mailpit = createAppDeployment(
            `${name}-mailpit`,
            {
                namespace: ns,
                component: "mailpit",
                instance: args.instance,
                runAs: mailpitUser,
                spec: { replicas: 1, resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } } },
                servicePort: { name: "smtp", port: 1025, targetPort: "smtp" },
                containers: [
                    {
                        name: "mailpit",
                        image: args.mailCatcherImage,
                        ports: [
                            { name: "smtp", containerPort: 1025 },
                            { name: "http", containerPort: 8025 },
                        ],
                        readinessProbe: { httpGet: { path: "/readyz", port: "http" }, periodSeconds: 10 },
                        livenessProbe: { httpGet: { path: "/livez", port: "http" }, periodSeconds: 20 },
                        resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
                        securityContext: containerSecurityContext(true),
                        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                    },
                ],
                volumes: [{ name: "tmp", emptyDir: {} }],
            },
            opts,
        );
        smtpUrl = pulumi.interpolate`smtp://${host(mailpit.service!.metadata.name)}:1025/`;
        readyAfter.push(mailpit.deployment);
    }

    const pgHost = host(postgres.service.metadata.name);
    const cacheHost = host(valkey.service.metadata.name);
    const databaseUrl = pulumi.secret(pulumi.interpolate`postgres://saleor:${dbPassword.result}@${pgHost}:5432/saleor`);
    return {
        databaseUrl,
        // One instance in dev: reads go to the writer.
        databaseReplicaUrl: databaseUrl,
        cacheUrl: pulumi.secret(pulumi.interpolate`redis://:${cachePassword.result}@${cacheHost}:6379/0`),
        brokerUrl: pulumi.secret(pulumi.interpolate`redis://:${cachePassword.result}@${cacheHost}:6379/1`),
        pageCacheUrl: pulumi.secret(pulumi.interpolate`redis://:${cachePassword.result}@${cacheHost}:6379/2`),
        media: { kind: "volume", claimName: media.metadata.name },
        smtpUrl,
        readyAfter,
    };
}

interface StatefulServiceArgs {
    readonly args: InClusterDataArgs;
    readonly component: string;
    /** Fixed Service name: the DNS name the connection URLs use. */
    readonly serviceName: string;
    readonly runAs: RunAs;
    readonly port: { readonly name: string; readonly port: number };
    readonly storage: string;
    readonly mountPath: string;
    readonly container: Omit<k8s.types.input.core.v1.Container, "name" | "ports" | "volumeMounts" | "securityContext">;
}

/** A single-replica StatefulSet with its own volume behind a headless Service. */
function createStatefulService(name: string, s: StatefulServiceArgs, opts: pulumi.CustomResourceOptions) {
    const { namespace, instance } = s.args;
    const labels = appLabels(s.component, instance);
    const selector = selectorLabels(s.component, instance);
    const service = new Service(
        name,
        {
            metadata: { name: s.serviceName, namespace, labels },
            spec: { clusterIP: "None", selector, ports: [{ name: s.port.name, port: s.port.port, targetPort: s.port.name }] },
        },
        opts,
    );
    const statefulSet = new StatefulSet(
        name,
        {
            metadata: { namespace, labels },
            spec: {
                serviceName: service.metadata.name,
                replicas: 1,
                selector: { matchLabels: selector },
                template: {
                    metadata: { labels },
                    spec: {
                        automountServiceAccountToken: false,
                        securityContext: podSecurityContext(s.runAs),
                        containers: [
                            {
                                ...s.container,
                                name: s.component,
                                ports: [{ name: s.port.name, containerPort: s.port.port }],
                                volumeMounts: [{ name: "data", mountPath: s.mountPath }],
                                securityContext: containerSecurityContext(false),
                            },
                        ],
                    },
                },
                volumeClaimTemplates: [
                    {
                        metadata: { name: "data", labels },
                        spec: {
                            accessModes: ["ReadWriteOnce"],
                            storageClassName: s.args.storageClassName,
                            resources: { requests: { storage: s.storage } },
                        },
                    },
                ],
            },
        },
        opts,
    );
    return { service, statefulSet };
}
