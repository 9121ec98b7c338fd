import type * as k8s from "@pulumi/kubernetes";
import { Job } from "@pulumi/kubernetes/batch/v1/job";
import * as pulumi from "@pulumi/pulumi";
import { appLabels, digest, podSecurityContext, type ResourceSpec } from "../kubernetes/workload";
import type { ReleaseStop } from "./release-stop";
import { coreRunAs, type CoreRuntime } from "./runtime";
import type { MigrationSpec } from "./types";

/** What tells one of Core's one-off Jobs (migrate, demo data, collectstatic) from the others. */
interface CoreJobSpec {
    readonly namespace: pulumi.Input<string>;
    readonly instance: string;
    readonly runtime: CoreRuntime;
    /** app.kubernetes.io/component of the Job and its pod. */
    readonly component: string;
    /** The Job's own name; auto-named when unset. */
    readonly jobName?: pulumi.Input<string>;
    readonly container: string;
    readonly command: string[];
    readonly resources: ResourceSpec;
    readonly backoffLimit: number;
    readonly activeDeadlineSeconds: number;
    /** Core's service account, where the Job writes to media or static storage. */
    readonly serviceAccountName?: pulumi.Input<string>;
    /** Containers that run to completion before the command (the migration's stop of the Celery processes). Default: none. */
    readonly initContainers?: k8s.types.input.core.v1.Container[];
    /** Volumes beyond Core's own (an init container's credentials). Default: none. */
    readonly extraVolumes?: k8s.types.input.core.v1.Volume[];
    /** The container's environment instead of Core's settings (a Job that needs other credentials). Default: Core's. */
    readonly environment?: { readonly envFrom: k8s.types.input.core.v1.EnvFromSource[]; readonly env: k8s.types.input.core.v1.EnvVar[] };
}

/** A Job that runs one manage.py command in the Core image, as Core's user, with Core's config and volumes. */
function createCoreJob(logicalName: string, j: CoreJobSpec, opts: pulumi.CustomResourceOptions): k8s.batch.v1.Job {
    return new Job(
        logicalName,
        {
            metadata: {
                ...(j.jobName !== undefined ? { name: j.jobName } : {}),
                namespace: j.namespace,
                labels: appLabels(j.component, j.instance),
            },
            spec: {
                backoffLimit: j.backoffLimit,
                activeDeadlineSeconds: j.activeDeadlineSeconds,
                template: {
                    metadata: { labels: appLabels(j.component, j.instance) },
                    spec: {
                        restartPolicy: "Never",
                        automountServiceAccountToken: false,
                        ...(j.serviceAccountName !== undefined ? { serviceAccountName: j.serviceAccountName } : {}),
                        securityContext: podSecurityContext(coreRunAs),
                        volumes: j.extraVolumes
                            ? pulumi.output(j.runtime.volumes).apply((v) => [...v, ...j.extraVolumes!])
                            : j.runtime.volumes,
                        ...(j.initContainers ? { initContainers: j.initContainers } : {}),
                        containers: [withEnvironment(j.runtime.coreContainer(j.container, j.command, j.resources), j.environment)],
                    },
                },
            },
        },
        opts,
    );
}

/** Core's container with another environment in place of Core's settings (HOME stays: the image's user has none). */
function withEnvironment(c: k8s.types.input.core.v1.Container, environment: CoreJobSpec["environment"]): k8s.types.input.core.v1.Container {
    if (!environment) return c;
    return { ...c, envFrom: environment.envFrom, env: [{ name: "HOME", value: "/tmp" }, ...environment.env] };
}

export interface MigrationArgs {
    readonly namespace: pulumi.Input<string>;
    readonly instance: string;
    readonly image: pulumi.Input<string>;
    readonly spec: MigrationSpec;
    readonly runtime: CoreRuntime;
    /** What must be ready before the migration connects (the data tier's `readyAfter`). */
    readonly readyAfter: pulumi.Resource[];
    /** What must be done before the migration changes the schema (the release's database snapshot). Default: nothing. */
    readonly after?: pulumi.Resource[];
    /** Stop the previous release's Celery worker and beat first (createReleaseStop). Default: they keep running. */
    readonly stop?: ReleaseStop;
}

/**
 * The Job that runs `manage.py migrate`. Named by the image digest, so it is replaced, and so re-run,
 * exactly when the Core image changes; the workloads depend on it.
 */
export function createMigration(name: string, args: MigrationArgs, parent: pulumi.Resource): k8s.batch.v1.Job {
    const m = args.spec;
    const deadline = m.activeDeadlineSeconds ?? 1800;
    return createCoreJob(
        `${name}-migrate`,
        {
            namespace: args.namespace,
            instance: args.instance,
            runtime: args.runtime,
            component: "migrations",
            // Named by the image: a new image is a new Job (so migrations run), the same image is no change.
            jobName: pulumi.output(args.image).apply((image) => `saleor-migrate-${digest(image)}`),
            // Migrations enqueue Celery data-migration tasks, hence the broker URL in its env.
            container: "migrate",
            command: ["python3", "manage.py", "migrate", "--noinput"],
            resources: m.resources,
            backoffLimit: m.backoffLimit ?? 2,
            activeDeadlineSeconds: deadline,
            serviceAccountName: args.stop?.serviceAccountName,
            initContainers: args.stop ? [args.stop.initContainer] : undefined,
            extraVolumes: args.stop ? [args.stop.volume] : undefined,
        },
        {
            parent,
            dependsOn: [...args.readyAfter, ...(args.after ?? []), ...(args.stop?.ready ?? [])],
            // The provider awaits Complete (and fails on Failed); give it the Job's own deadline plus start-up.
            customTimeouts: { create: `${deadline + 300}s`, update: `${deadline + 300}s` },
        },
    );
}

export interface DemoDataArgs {
    readonly namespace: pulumi.Input<string>;
    readonly instance: string;
    readonly runtime: CoreRuntime;
    /** Core's service account: the demo catalogue uploads product images to media storage. */
    readonly serviceAccountName?: pulumi.Output<string>;
    readonly resources: ResourceSpec;
    /** The region's migration Job: the catalogue needs the schema. */
    readonly migrationJob: k8s.batch.v1.Job;
}

/** Loads Saleor's demo catalogue and superuser once (`populatedb --createsuperuser`), after the migration. */
export function createDemoData(name: string, args: DemoDataArgs, parent: pulumi.Resource): k8s.batch.v1.Job {
    return createCoreJob(
        `${name}-demo-data`,
        {
            namespace: args.namespace,
            instance: args.instance,
            runtime: args.runtime,
            component: "demo-data",
            container: "populatedb",
            command: ["python3", "manage.py", "populatedb", "--createsuperuser"],
            resources: args.resources,
            backoffLimit: 1,
            activeDeadlineSeconds: 1800,
            // The demo catalogue uploads product images to media storage.
            serviceAccountName: args.serviceAccountName,
        },
        {
            parent,
            dependsOn: [args.migrationJob],
            // A one-off: once it has loaded the catalogue, later changes must not run it again.
            ignoreChanges: ["spec"],
            customTimeouts: { create: "35m" },
        },
    );
}

export interface StaticFilesArgs {
    readonly namespace: pulumi.Input<string>;
    readonly instance: string;
    readonly image: pulumi.Input<string>;
    readonly runtime: CoreRuntime;
    /** Core's service account, bound to the role that may write the bucket (Pod Identity). */
    readonly serviceAccountName?: pulumi.Output<string>;
    readonly resources: ResourceSpec;
}

/**
 * The Job that copies the image's static files to the bucket `AWS_STORAGE_BUCKET_NAME` names
 * (`manage.py collectstatic`; with that variable set, saleor/settings.py 3.23.5 lines 570-571 make
 * S3Boto3Storage the staticfiles storage). With DEBUG off Core serves no /static/ itself
 * (saleor/urls.py adds the view only under DEBUG), so the files must be in the bucket before anyone
 * asks for a placeholder image or an e-mail logo. Named by the image digest like the migration
 * Job: a new image copies its files once, the same image is no change. It needs no database
 * (the image runs the same command at build time with only SECRET_KEY set, saleor's Dockerfile),
 * so it runs beside the migration; files of the previous release stay (collectstatic deletes
 * nothing), which a region still on it keeps using during a staged rollout.
 */
export function createStaticFiles(name: string, args: StaticFilesArgs, parent: pulumi.Resource): k8s.batch.v1.Job {
    return createCoreJob(
        `${name}-collectstatic`,
        {
            namespace: args.namespace,
            instance: args.instance,
            runtime: args.runtime,
            component: "static-files",
            jobName: pulumi.output(args.image).apply((image) => `saleor-collectstatic-${digest(image)}`),
            container: "collectstatic",
            command: ["python3", "manage.py", "collectstatic", "--noinput"],
            resources: args.resources,
            backoffLimit: 2,
            activeDeadlineSeconds: 600,
            serviceAccountName: args.serviceAccountName,
        },
        { parent, customTimeouts: { create: "15m", update: "15m" } },
    );
}

/** What the database-role Job needs: where the writer is, who to create, and the Secret with the credentials. */
export interface DatabaseRoleArgs {
    readonly namespace: pulumi.Input<string>;
    readonly instance: string;
    /** The Core image: its Python and PostgreSQL driver run the script. */
    readonly image: pulumi.Input<string>;
    readonly runtime: CoreRuntime;
    readonly resources: ResourceSpec;
    /** The writer's host name (its certificate's name: the connection verifies it). */
    readonly host: pulumi.Input<string>;
    /** The master user (RDS's), the database, and the role Core connects as. */
    readonly masterUser: string;
    readonly database: string;
    readonly role: string;
    /** The CA bundle file `sslrootcert` names (mounted by the runtime). */
    readonly caFile: string;
    /**
     * The Secret (External Secrets) with the master credentials as RDS keeps them (`username`,
     * `password`) and the role's password (`DATABASE_APP_PASSWORD`); `version` changes with its values.
     */
    readonly secret: { readonly name: pulumi.Input<string>; readonly version: pulumi.Input<string> };
    /** What must exist first: the writer, the Secret. */
    readonly readyAfter: pulumi.Resource[];
}

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The statements the database-role Job runs as the master user, each idempotent, so the Job can run
 * on every release (a fresh database and one whose tables the master created alike):
 * - the role, LOGIN, with the password from the Secret (set on every run: a changed password lands);
 * - the master's membership in the role: PostgreSQL lets a role hand an object to another only when
 *   it may SET ROLE to it (ALTER TABLE, "You must be able to SET ROLE to the new owning role");
 * - the database, to the role: its owner may create schemas and, from PostgreSQL 15 on, owns the
 *   schema `public` through pg_database_owner (PostgreSQL 15 release notes); a `public` still owned
 *   by the master (a database created before 15 and upgraded) is handed over too;
 * - the extensions Saleor's migrations create (django.contrib.postgres BtreeGinExtension,
 *   TrigramExtension: `btree_gin`, `pg_trgm`), created here as the master: both are trusted
 *   extensions (PostgreSQL 13+), and RDS supports both; the migrations' CREATE EXTENSION IF NOT
 *   EXISTS then does nothing;
 * - every table, view, sequence, function and type in `public` the master owns (a stack that
 *   migrated as the master before), to the role: Django's migrations alter them. Objects that belong
 *   to an extension, and sequences owned by a column (they follow their table), are left alone.
 *   Not `REASSIGN OWNED BY <master>`: it would hand over every other object and database the master
 *   owns in the instance as well.
 */
export function databaseRoleStatements(masterUser: string, database: string, role: string): string[] {
    for (const name of [masterUser, database, role]) {
        if (!identifier.test(name)) throw new Error(`database role Job: ${JSON.stringify(name)} is not a plain SQL identifier`);
    }
    const extensionMember = (catalog: string, oid: string) =>
        `EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;
    return [
        `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} LOGIN; END IF; END $$`,
        `GRANT ${role} TO ${masterUser}`,
        `ALTER DATABASE ${database} OWNER TO ${role}`,
        `DO $$ BEGIN IF (SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'public') = '${masterUser}' THEN ALTER SCHEMA public OWNER TO ${role}; END IF; END $$`,
        "CREATE EXTENSION IF NOT EXISTS btree_gin",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        [
            "DO $$ DECLARE r record; BEGIN",
            "FOR r IN SELECT c.oid::regclass AS obj, CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind",
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace",
            `WHERE n.nspname = 'public' AND c.relowner = '${masterUser}'::regrole AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')`,
            `AND NOT ${extensionMember("pg_class", "c.oid")}`,
            "AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))",
            `LOOP EXECUTE format('ALTER %s %s OWNER TO ${role}', r.kind, r.obj); END LOOP;`,
            "FOR r IN SELECT p.oid::regprocedure AS obj FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace",
            `WHERE n.nspname = 'public' AND p.proowner = '${masterUser}'::regrole AND NOT ${extensionMember("pg_proc", "p.oid")}`,
            `LOOP EXECUTE format('ALTER ROUTINE %s OWNER TO ${role}', r.obj); END LOOP;`,
            "FOR r IN SELECT t.oid::regtype AS obj FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace",
            `WHERE n.nspname = 'public' AND t.typowner = '${masterUser}'::regrole AND t.typtype IN ('e', 'd')`,
            `AND NOT ${extensionMember("pg_type", "t.oid")}`,
            `LOOP EXECUTE format('ALTER TYPE %s OWNER TO ${role}', r.obj); END LOOP;`,
            "END $$",
        ].join(" "),
    ];
}

/**
 * The Python the Job runs: connect as the master with TLS verified against the RDS CA bundle,
 * check the role's password is what RandomPassword makes (letters and digits: it goes into SQL
 * as a literal, since ALTER ROLE takes no bind parameters), then run the statements in autocommit.
 * psycopg (3) where the image has it, psycopg2 otherwise: Saleor's image has one of the two
 * (not verified per release here).
 */
function databaseRoleScript(a: DatabaseRoleArgs): string {
    const statements = databaseRoleStatements(a.masterUser, a.database, a.role);
    return [
        "import os, re, sys",
        "try:",
        "    import psycopg as pg",
        "except ImportError:",
        "    import psycopg2 as pg",
        "password = os.environ['DATABASE_APP_PASSWORD']",
        "if not re.fullmatch(r'[A-Za-z0-9]{32,}', password):",
        "    sys.exit('DATABASE_APP_PASSWORD must be at least 32 letters and digits')",
        `conn = pg.connect(host=os.environ['PGHOST'], port=5432, dbname=${JSON.stringify(a.database)}, user=os.environ['username'], password=os.environ['password'], sslmode='verify-full', sslrootcert=${JSON.stringify(a.caFile)}, connect_timeout=15)`,
        "conn.autocommit = True",
        "cur = conn.cursor()",
        `statements = ${JSON.stringify(statements)}`,
        `statements.insert(1, "ALTER ROLE ${a.role} WITH LOGIN PASSWORD '" + password + "'")`,
        "for statement in statements:",
        "    cur.execute(statement)",
        `print(${JSON.stringify(`role ${a.role} is ready on database ${a.database}`)})`,
    ].join("\n");
}

/**
 * The Job that creates (or updates) the role Core connects as, as the master user, before the
 * migration Job (which waits for it). Named by the image, the script and the Secret's version: a new
 * release runs it again (cheap, idempotent), and so does a new password. It runs as Core's user with
 * Core's volumes (the CA bundle) but none of Core's settings: only the Secret's credentials.
 */
export function createDatabaseRole(name: string, args: DatabaseRoleArgs, parent: pulumi.Resource): k8s.batch.v1.Job {
    const script = databaseRoleScript(args);
    return createCoreJob(
        `${name}-database-role`,
        {
            namespace: args.namespace,
            instance: args.instance,
            runtime: args.runtime,
            component: "database-role",
            jobName: pulumi
                .all([args.image, args.secret.version])
                .apply(([image, version]) => `saleor-database-role-${digest(image, script, version)}`),
            container: "database-role",
            command: ["python3", "-c", script],
            resources: args.resources,
            // Pods 10, 20, 40 and 80 s apart (the Job controller's back-off): the last tries come after
            // the Secret's one-minute refresh, so a master password rotated just before is read anew.
            backoffLimit: 4,
            activeDeadlineSeconds: 300,
            environment: {
                envFrom: [{ secretRef: { name: args.secret.name } }],
                env: [{ name: "PGHOST", value: args.host }],
            },
        },
        { parent, dependsOn: args.readyAfter, customTimeouts: { create: "10m", update: "10m" } },
    );
}
