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
                        containers: [j.runtime.coreContainer(j.container, j.command, j.resources)],
                    },
                },
            },
        },
        opts,
    );
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
