import type * as pulumi from "@pulumi/pulumi";
import type { ConnectionFacts } from "../data/types";
import type { CanaryDelivery, ResourceSpec, WorkloadSpec } from "../kubernetes/workload";
import type { CoreSecrets, CoreSettings, PublicHosts } from "./env";

// SaleorCore's argument types, apart from the component so that its parts and its callers (the
// storefront shares IngressSettings) can name them without importing the component.

export interface MigrationSpec {
    readonly resources: ResourceSpec;
    /** Pod retries before the Job fails. Default: 2. */
    readonly backoffLimit?: number;
    /** Deadline of one run, in seconds. Default: 1800. */
    readonly activeDeadlineSeconds?: number;
}

/** What a load balancer should request from a component's pods, and which status codes mean healthy. */
export interface HealthCheck {
    readonly path: string;
    /** Comma-separated status codes or a range, as the AWS Load Balancer Controller takes them ("200", "200,308"). */
    readonly successCodes: string;
}

/** A redirect of `/` as a controller does it. */
export interface RootRedirect {
    readonly annotations: Record<string, string>;
    /** The backend of an exact `/` rule ahead of the host's other paths (an ALB action's name and `use-annotation`). */
    readonly rootBackend?: { readonly serviceName: string; readonly portName: string };
}

export interface IngressSettings {
    readonly className: string;
    /** Annotations on every Ingress (body size, ALB group, listeners, certificate, WAF). Default: none. */
    readonly annotations?: Record<string, pulumi.Input<string>>;
    /**
     * The annotations that make the load balancer health-check one Ingress's pods at `check`: each
     * component knows the path its pods answer, the stack knows the controller. Default: none (the
     * controller's own check, or none).
     */
    readonly healthCheck?: (check: HealthCheck) => Record<string, string>;
    /**
     * How this controller sends a host's `/` to `path`, for an Ingress of that host alone: its
     * annotations, and (ALB actions) the backend an exact `/` rule must name. Default: not supported,
     * `/` is the application's.
     */
    readonly rootRedirect?: (path: string) => RootRedirect;
    /**
     * TLS on the Ingresses: a Secret with the certificate, or `{}` where the controller finds the
     * certificate itself (ACM through the AWS load balancer controller). Default: none (plain http).
     */
    readonly tls?: { readonly secretName?: string };
}

export interface SaleorCoreArgs {
    readonly namespace: pulumi.Input<string>;
    /** app.kubernetes.io/instance of every object (stack and region). */
    readonly instance: string;
    /** Core image reference (repository:tag); every Core process runs it. */
    readonly image: pulumi.Input<string>;
    /** Dashboard image reference; its minor version must equal Core's. */
    readonly dashboardImage: pulumi.Input<string>;
    readonly hosts: PublicHosts;
    readonly settings: CoreSettings;
    readonly secrets: CoreSecrets;
    /**
     * A Secret kept by External Secrets Operator holding every secret setting (`secrets` and the
     * connection's credentials, under the same variable names): Core reads it and creates no Secret of
     * its own. `version` changes whenever a value does, and rolls the pods. Default: Core writes its
     * own Secret from `secrets` and `connection`.
     */
    readonly syncedSecret?: { readonly name: pulumi.Input<string>; readonly version: pulumi.Input<string> };
    readonly connection: ConnectionFacts;
    readonly workloads: {
        readonly api: WorkloadSpec;
        readonly worker: WorkloadSpec;
        /** Celery beat's resources: it runs exactly one replica (two schedulers enqueue every task twice). */
        readonly beat: Pick<WorkloadSpec, "resources">;
        readonly dashboard: WorkloadSpec;
        readonly migration: MigrationSpec;
    };
    /** uvicorn --workers per API pod. Default: 2 (the image's own default). */
    readonly apiWorkers?: number;
    /** celery --concurrency per worker pod. Default: 2. */
    readonly workerConcurrency?: number;
    /**
     * Run the migration Job here (the primary region). A secondary region passes `false` and the
     * primary's Job in `migrationDependency`, so its workloads roll only after the primary migrated.
     */
    readonly runMigrations: boolean;
    /**
     * Run Celery beat here. Beat must run once per database, and every region shares the primary's
     * database, so only the primary region schedules. Default: `runMigrations`.
     */
    readonly runScheduler?: boolean;
    /**
     * What the migration Job waits for besides the data tier: the snapshot of the database taken for
     * this release (AWS). Default: nothing more.
     */
    readonly beforeMigration?: pulumi.Resource[];
    /**
     * Create the role Core connects as (`connection.databaseAdmin`) with a Job before the migration,
     * reading the master credentials and the role's password from this Secret (External Secrets).
     * Only where the migration runs. Default: no such Job (the in-cluster database's own user).
     */
    readonly databaseRole?: {
        readonly secretName: pulumi.Input<string>;
        readonly version: pulumi.Input<string>;
        readonly ready: pulumi.Resource[];
    };
    /** A resource the workloads wait for instead of a local migration Job (the primary's Job). */
    readonly migrationDependency?: pulumi.Input<pulumi.Resource>;
    readonly ingress: IngressSettings;
    /** Load Saleor's demo catalogue and superuser once (`populatedb --createsuperuser`). Default: false. */
    readonly demoData?: boolean;
    /**
     * Service account for the Core pods, created here; the aws flavour binds an IAM role to this
     * name through Pod Identity (media on S3). Default: the namespace's default account.
     */
    readonly serviceAccountName?: string;
    /** Extra plain env for Core (OpenTelemetry and the like). Default: none. */
    readonly extraConfig?: Record<string, pulumi.Input<string>>;
    /**
     * Release the API and the Dashboard as Argo Rollouts canaries (through the ALB's weighted target
     * groups on AWS, ingress-nginx's canary Ingress elsewhere), each with its analysis and gate Job.
     * Default: rolling Deployments.
     */
    readonly canary?: CanaryDelivery;
}
