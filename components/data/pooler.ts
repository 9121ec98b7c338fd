import type * as k8s from "@pulumi/kubernetes";
import { ConfigMap } from "@pulumi/kubernetes/core/v1/configMap";
import { Secret } from "@pulumi/kubernetes/core/v1/secret";
import { Service } from "@pulumi/kubernetes/core/v1/service";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import {
    appLabels,
    containerSecurityContext,
    createAppDeployment,
    drainSeconds,
    preStopSleep,
    resourceRequirements,
    secretEnv,
    selectorLabels,
    type ResourceSpec,
    type RunAs,
} from "../kubernetes/workload";

// A PgBouncer in front of the primary region's writer, for a region whose Core writes across regions.
//
// Why: Saleor's API runs under uvicorn (ASGI), where Django closes its database connection at the
// end of every request (saleor/settings.py: DB_CONN_MAX_AGE defaults to 0; Django's docs,
// "Persistent connections", advise against them under ASGI), so a secondary region's API opened a new
// cross-region TLS connection to the writer per request. Saleor reads no setting for Django's
// CONN_HEALTH_CHECKS, and Django's own psycopg pool needs psycopg-pool, which Saleor's image lacks.
// The pooler keeps the server connections open across those short client sessions and checks one
// before it hands it out again.
//
// Every PgBouncer setting below is read in pgbouncer/pgbouncer doc/config.md (commit 13a344f2).

/** The Service clients reach the pooler through: one fixed name, so its certificate can name it before it exists. */
export const poolerServiceName = "saleor-pooler";
/** The port the pooler listens on and its Service serves: PostgreSQL's, so a URL changes host only. */
export const poolerPort = 5432;
/** The key of the pooler's CA certificate in the ConfigMap Core mounts (beside the RDS roots' `bundle.pem`). */
export const poolerCaKey = "pooler-ca.pem";

/**
 * The DNS names a pod resolves the pooler's Service by in `namespace` (short, namespaced and fully
 * qualified under the cluster's default `cluster.local` domain).
 */
export function poolerDnsNames(namespace: string): string[] {
    return [poolerServiceName, `${poolerServiceName}.${namespace}`, `${poolerServiceName}.${namespace}.svc`, poolerHost(namespace)];
}

/** The host Core's DATABASE_URL names: the Service's fully qualified name, which the certificate carries. */
export function poolerHost(namespace: string): string {
    return `${poolerServiceName}.${namespace}.svc.cluster.local`;
}

export interface PoolerCertificatesArgs {
    /**
     * The workloads' namespace: the same in every region of a stack, so one certificate serves the
     * pooler wherever the secondary role is, and a failover issues nothing new.
     */
    readonly namespace: string;
    /** Validity of the server certificate, in hours. Default: 8760 (a year). */
    readonly validityHours?: number;
    /** Hours before expiry from which a `pulumi up` issues a new server certificate. Default: 720 (30 days). */
    readonly renewalHours?: number;
}

/**
 * The pooler's TLS material, one per stack: a CA Core trusts (`caCertPem`, for `sslrootcert`) and the
 * server certificate it signs for the Service's DNS names. ECDSA P-256 keys, kept in the stack's state
 * as secrets. The CA lives 10 years; the server certificate a year, renewed by the first `pulumi up`
 * in its last 30 days (tls provider, LocallySignedCert `earlyRenewalHours`).
 */
export class PoolerCertificates extends pulumi.ComponentResource {
    /** The CA certificate (PEM): what Core's `sslrootcert` names for the pooler. */
    public readonly caCertPem: pulumi.Output<string>;
    /** The server certificate (PEM). */
    public readonly certPem: pulumi.Output<string>;
    /** The server certificate's private key (PEM), secret. */
    public readonly keyPem: pulumi.Output<string>;

    constructor(name: string, args: PoolerCertificatesArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:PoolerCertificates", name, {}, opts);
        const parent = { parent: this };
        const caKey = new tls.PrivateKey(`${name}-ca`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, parent);
        const ca = new tls.SelfSignedCert(
            `${name}-ca`,
            {
                privateKeyPem: caKey.privateKeyPem,
                subject: { commonName: "Saleor connection pooler CA" },
                isCaCertificate: true,
                validityPeriodHours: 10 * 8760,
                allowedUses: ["cert_signing", "crl_signing"],
            },
            parent,
        );
        const key = new tls.PrivateKey(`${name}-server`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, parent);
        const request = new tls.CertRequest(
            `${name}-server`,
            {
                privateKeyPem: key.privateKeyPem,
                subject: { commonName: poolerHost(args.namespace) },
                dnsNames: poolerDnsNames(args.namespace),
            },
            parent,
        );
        const cert = new tls.LocallySignedCert(
            `${name}-server`,
            {
                certRequestPem: request.certRequestPem,
                caPrivateKeyPem: caKey.privateKeyPem,
                caCertPem: ca.certPem,
                validityPeriodHours: args.validityHours ?? 8760,
                earlyRenewalHours: args.renewalHours ?? 720,
                allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
            },
            parent,
        );
        this.caCertPem = ca.certPem;
        this.certPem = cert.certPem;
        this.keyPem = pulumi.secret(key.privateKeyPem);
        this.registerOutputs({ caCertPem: this.caCertPem, certPem: this.certPem });
    }
}

/** How many connections the pooler accepts and opens, from who connects through it and what the writer allows. */
export interface PoolerSizing {
    /** max_client_conn of each pooler pod. */
    readonly maxClientConnections: number;
    /** default_pool_size: server connections each pooler pod may open to the writer. */
    readonly poolSize: number;
}

/**
 * The pooler's limits.
 *
 * Clients: every Core process of the region that writes, at its autoscaling maximum: uvicorn workers
 * (API pods × `apiWorkers`), each allowed `apiSessionsPerProcess` sessions at once (Django runs each
 * request's synchronous code in a thread of its own under ASGI, so one process may hold several;
 * a sizing assumption, not a measurement), and Celery's prefork children (worker pods × concurrency),
 * one connection each. Either pod may have to take all of them (the other is being replaced), so
 * each accepts them all: `max_client_conn`.
 *
 * Servers: in session mode a client holds a server connection for its session, so the pool matches
 * the client sessions, capped so that both pods together open at most `writerShare` of the writer's
 * max_connections (the primary region's Core connects to it directly). Clients beyond the pool wait
 * for a connection (query_wait_timeout, 120 s by default) instead of failing.
 */
export function poolerSizing(args: {
    readonly apiProcesses: number;
    readonly workerProcesses: number;
    readonly writerMaxConnections: number;
    readonly replicas: number;
    /** Default: 4. */
    readonly apiSessionsPerProcess?: number;
    /** Default: 0.25. */
    readonly writerShare?: number;
}): PoolerSizing {
    const sessions = args.apiProcesses * (args.apiSessionsPerProcess ?? 4) + args.workerProcesses;
    const budget = Math.floor((args.writerMaxConnections * (args.writerShare ?? 0.25)) / args.replicas);
    return { maxClientConnections: sessions, poolSize: Math.max(1, Math.min(sessions, budget)) };
}

export interface ConnectionPoolerArgs {
    readonly namespace: pulumi.Input<string>;
    /** app.kubernetes.io/instance of every object (stack and region). */
    readonly instance: string;
    /** PgBouncer image (catalog/pooler.ts). */
    readonly image: string;
    /** The image's user and group. */
    readonly runAs: RunAs;
    /** The writer the pooler connects to (host name; its certificate must name it). */
    readonly serverHost: pulumi.Input<string>;
    /** The database clients ask for, and the pooler opens on the server. */
    readonly database: string;
    /** The role clients log in as, and the pooler as them (Saleor's `saleor_app`). */
    readonly user: string;
    /**
     * Where the role's password is: a Secret kept by External Secrets Operator, its key, and a digest
     * that changes with the value (rolls the pods). The pooler writes its auth file from it at start.
     */
    readonly password: { readonly secretName: pulumi.Input<string>; readonly key: string; readonly version: pulumi.Input<string> };
    /** Root CAs of the server's certificate (the RDS roots, PEM). */
    readonly serverCaBundle: pulumi.Input<string>;
    /** The stack's pooler certificates (PoolerCertificates). */
    readonly certificates: PoolerCertificates;
    /** Where Core mounts the CA ConfigMap (ConnectionFacts.databaseCa.mountPath). */
    readonly caMountPath: string;
    readonly sizing: PoolerSizing;
    /** Pods. Default: 2, with a PodDisruptionBudget (one may be down). */
    readonly replicas?: number;
    /** Default: 50m / 64Mi requested, 500m / 128Mi limit. */
    readonly resources?: ResourceSpec;
}

/**
 * PgBouncer between one region's Core and the writer in another region: a Deployment (2 replicas, a
 * PodDisruptionBudget, probes on its port), its Service, its settings, and a ConfigMap of the CAs
 * Core trusts (the RDS roots under `bundle.pem`, the pooler's CA under `pooler-ca.pem`).
 *
 * Session pooling: Django needs DISABLE_SERVER_SIDE_CURSORS under transaction pooling, which Saleor
 * does not set. A server connection goes back to the pool when its client disconnects (pool_mode,
 * "session"), reset by the default `DISCARD ALL` (server_reset_query), and stays open for the next
 * client; one idle longer than `server_check_delay` is checked with `server_check_query` before it is
 * handed out, and a dead one is replaced instead of failing the client's first query.
 *
 * TLS both ways: clients must use TLS (client_tls_sslmode "require") and verify the pooler's
 * certificate against its CA (`sslmode=verify-full` in their URL); the pooler verifies the writer's
 * certificate and host name against the RDS roots (server_tls_sslmode "verify-full",
 * server_tls_ca_file). Passwords: SCRAM from clients (auth_type "scram-sha-256", which takes plain-text
 * passwords in auth_file), and the same plain-text password logs the pooler in to the server as the
 * client's user ("Authentication file format": a plain-text password "can be used for any
 * password-based authentication used in the backend server"). The auth file is written at start from
 * the password in the synced Secret into a memory-backed volume: the password is in no ConfigMap, no
 * plan and no image.
 */
export class ConnectionPooler extends pulumi.ComponentResource {
    /** The host clients connect to (the Service's fully qualified name, which the certificate names). */
    public readonly host: pulumi.Output<string>;
    /** The ConfigMap Core mounts in place of the data tier's RDS CA bundle, at the same path. */
    public readonly clientCa: { readonly configMap: ConfigMap; readonly configMapName: pulumi.Output<string>; readonly mountPath: string };
    /** The file clients name in `sslrootcert`: the pooler's CA alone. */
    public readonly caFile: string;
    /** What must be ready before a client connects: the pooler's pods and Service. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: ConnectionPoolerArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:ConnectionPooler", name, {}, opts);
        const ns = args.namespace;
        const labels = appLabels("pooler", args.instance);
        const parent = { parent: this };
        const paths = { config: "/etc/pgbouncer", tls: "/etc/pgbouncer-tls", run: "/var/run/pgbouncer", ca: args.caMountPath };
        const authFile = `${paths.run}/userlist.txt`;

        const caBundle = new ConfigMap(
            `${name}-ca`,
            {
                metadata: { namespace: ns, labels },
                data: { "bundle.pem": args.serverCaBundle, [poolerCaKey]: args.certificates.caCertPem },
            },
            parent,
        );
        const tlsSecret = new Secret(
            `${name}-tls`,
            {
                metadata: { namespace: ns, labels },
                type: "kubernetes.io/tls",
                stringData: { "tls.crt": args.certificates.certPem, "tls.key": args.certificates.keyPem },
            },
            parent,
        );
        const ini = pgbouncerIni({
            port: poolerPort,
            authFile,
            serverCaFile: `${paths.ca}/bundle.pem`,
            tlsDir: paths.tls,
            sizing: args.sizing,
        });
        const config = new ConfigMap(
            `${name}-config`,
            {
                metadata: { namespace: ns, labels },
                // The writer's host is the one value known only at deployment.
                data: {
                    "pgbouncer.ini": pulumi.interpolate`[databases]\n${args.database} = host=${args.serverHost} port=5432 dbname=${args.database}\n\n${ini}`,
                },
            },
            parent,
        );

        // The auth file: `"user" "password"`, a double quote in either written twice ("Authentication
        // file format"), readable by the pooler's user alone; then PgBouncer replaces the shell, with
        // the password no longer in its environment. `sed` and `printf` come with the Debian base.
        const start = [
            "set -eu",
            "umask 077",
            `password=$(printf '%s' "$POOLER_PASSWORD" | sed 's/"/""/g')`,
            `printf '"%s" "%s"\\n' '${args.user}' "$password" > ${authFile}`,
            "unset POOLER_PASSWORD password",
            `exec /usr/bin/pgbouncer ${paths.config}/pgbouncer.ini`,
        ].join("\n");
        const container: k8s.types.input.core.v1.Container = {
            name: "pgbouncer",
            image: args.image,
            command: ["/bin/sh", "-c", start],
            env: [secretEnv("POOLER_PASSWORD", args.password.secretName, args.password.key)],
            ports: [{ name: "postgres", containerPort: poolerPort, protocol: "TCP" }],
            // PgBouncer accepts connections once it listens; TCP is all a probe can check without a login.
            readinessProbe: { tcpSocket: { port: "postgres" }, periodSeconds: 10, failureThreshold: 3 },
            livenessProbe: { tcpSocket: { port: "postgres" }, periodSeconds: 20, failureThreshold: 3 },
            // SIGTERM is PgBouncer's safe shutdown (waits for clients, takes no new ones); the sleep
            // first lets the Service drop the pod before it stops listening.
            lifecycle: preStopSleep(drainSeconds),
            resources: resourceRequirements(args.resources ?? defaultResources),
            securityContext: containerSecurityContext(true),
            volumeMounts: [
                { name: "config", mountPath: paths.config, readOnly: true },
                { name: "tls", mountPath: paths.tls, readOnly: true },
                { name: "ca", mountPath: paths.ca, readOnly: true },
                { name: "run", mountPath: paths.run },
            ],
        };
        const workload = createAppDeployment(
            name,
            {
                namespace: ns,
                component: "pooler",
                instance: args.instance,
                spec: { replicas: args.replicas ?? 2, resources: args.resources ?? defaultResources },
                runAs: args.runAs,
                containers: [container],
                volumes: [
                    { name: "config", configMap: { name: config.metadata.name } },
                    // Readable by the pooler's group only (fsGroup): the key.
                    { name: "tls", secret: { secretName: tlsSecret.metadata.name, defaultMode: 0o440 } },
                    { name: "ca", configMap: { name: caBundle.metadata.name } },
                    { name: "run", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
                ],
                podAnnotations: {
                    // A new password rolls the pods: the auth file is written at start.
                    "saleor.io/password-version": args.password.version,
                },
            },
            parent,
        );
        const service = new Service(
            name,
            {
                metadata: { name: poolerServiceName, namespace: ns, labels },
                spec: {
                    type: "ClusterIP",
                    selector: selectorLabels("pooler", args.instance),
                    ports: [{ name: "postgres", port: poolerPort, targetPort: "postgres", protocol: "TCP" }],
                },
            },
            parent,
        );

        // Known once the pods and the Service are (the CA ConfigMap with them): a URL built from it waits for them.
        this.host = pulumi.all([ns, workload.deployment.urn, service.urn, caBundle.urn]).apply(([n]) => poolerHost(n));
        this.clientCa = { configMap: caBundle, configMapName: caBundle.metadata.name, mountPath: args.caMountPath };
        this.caFile = `${args.caMountPath}/${poolerCaKey}`;
        this.ready = [workload.deployment, service];
        this.registerOutputs({ host: this.host, caFile: this.caFile });
    }
}

const defaultResources: ResourceSpec = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } };

/** The [pgbouncer] section: everything but the writer's host. */
function pgbouncerIni(a: {
    readonly port: number;
    readonly authFile: string;
    readonly serverCaFile: string;
    readonly tlsDir: string;
    readonly sizing: PoolerSizing;
}): string {
    const settings: [string, string | number][] = [
        ["listen_addr", "*"],
        ["listen_port", a.port],
        // No Unix socket: nothing in the pod connects locally, and the root file system is read-only.
        ["unix_socket_dir", ""],
        ["auth_type", "scram-sha-256"],
        ["auth_file", a.authFile],
        ["pool_mode", "session"],
        ["max_client_conn", a.sizing.maxClientConnections],
        ["default_pool_size", a.sizing.poolSize],
        // A released connection unused for 10 s is checked with a round trip before its next client
        // (default 30 s, and an empty query): one cross-region round trip, paid only after a pause.
        ["server_check_query", "select 1"],
        ["server_check_delay", 10],
        // Idle connections are kept 10 minutes (the default), across quiet spells between requests,
        // and every connection is renewed after an hour (the default), so a changed server
        // certificate or address is picked up without a restart.
        ["server_idle_timeout", 600],
        ["server_lifetime", 3600],
        ["server_tls_sslmode", "verify-full"],
        ["server_tls_ca_file", a.serverCaFile],
        ["client_tls_sslmode", "require"],
        ["client_tls_cert_file", `${a.tlsDir}/tls.crt`],
        ["client_tls_key_file", `${a.tlsDir}/tls.key`],
        // The API connects once per request: a log line per connection would drown everything else.
        ["log_connections", 0],
        ["log_disconnections", 0],
    ];
    return "[pgbouncer]\n" + settings.map(([k, v]) => `${k} = ${v}`).join("\n") + "\n";
}
