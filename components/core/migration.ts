import type * as k8s from "@pulumi/kubernetes";
import { Job } from "@pulumi/kubernetes/batch/v1/job";
import * as pulumi from "@pulumi/pulumi";
import { appLabels, digest, podSecurityContext, type ResourceSpec } from "../kubernetes/workload";
import { coreRunAs, type CoreRuntime } from "./runtime";
import type { MigrationSpec } from "./types";

export interface MigrationArgs {
    readonly namespace: pulumi.Input<string>;
    readonly instance: string;
    readonly image: pulumi.Input<string>;
    readonly spec: MigrationSpec;
    readonly runtime: CoreRuntime;
    /** What must be ready before the migration connects (the data tier's `readyAfter`). */
    readonly readyAfter: pulumi.Resource[];
}

/**
 * The Job that runs `manage.py migrate`. Named by the image digest, so it is replaced, and so re-run,
 * exactly when the Core image changes; the workloads depend on it.
 */
export function createMigration(name: string, args: MigrationArgs, parent: pulumi.Resource): k8s.batch.v1.Job {
    const m = args.spec;
    const deadline = m.activeDeadlineSeconds ?? 1800;
    return new Job(
        `${name}-migrate`,
        {
            metadata: {
                // Named by the image: a new image is a new Job (so migrations run), the same image is no change.
                name: pulumi.output(args.image).apply((image) => `saleor-migrate-${digest(image)}`),
                namespace: args.namespace,
                labels: appLabels("migrations", args.instance),
            },
            spec: {
                backoffLimit: m.backoffLimit ?? 2,
                activeDeadlineSeconds: deadline,
                template: {
                    metadata: { labels: appLabels("migrations", args.instance) },
                    spec: {
                        restartPolicy: "Never",
                        automountServiceAccountToken: false,
                        securityContext: podSecurityContext(coreRunAs),
                        volumes: args.runtime.volumes,
                        // Migrations enqueue Celery data-migration tasks, hence the broker URL in its env.
                        containers: [args.runtime.coreContainer("migrate", ["python3", "manage.py", "migrate", "--noinput"], m.resources)],
                    },
                },
            },
        },
        {
            parent,
            dependsOn: args.readyAfter,
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
    return new Job(
        `${name}-demo-data`,
        {
            metadata: { namespace: args.namespace, labels: appLabels("demo-data", args.instance) },
            spec: {
                backoffLimit: 1,
                activeDeadlineSeconds: 1800,
                template: {
                    metadata: { labels: appLabels("demo-data", args.instance) },
                    spec: {
                        restartPolicy: "Never",
                        automountServiceAccountToken: false,
                        // The demo catalogue uploads product images to media storage.
                        serviceAccountName: args.serviceAccountName,
                        securityContext: podSecurityContext(coreRunAs),
                        volumes: args.runtime.volumes,
                        containers: [
                            args.runtime.coreContainer(
                                "populatedb",
                                ["python3", "manage.py", "populatedb", "--createsuperuser"],
                                args.resources,
                            ),
                        ],
                    },
                },
            },
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
    return new Job(
        `${name}-collectstatic`,
        {
            metadata: {
                name: pulumi.output(args.image).apply((image) => `saleor-collectstatic-${digest(image)}`),
                namespace: args.namespace,
                labels: appLabels("static-files", args.instance),
            },
            spec: {
                backoffLimit: 2,
                activeDeadlineSeconds: 600,
                template: {
                    metadata: { labels: appLabels("static-files", args.instance) },
                    spec: {
                        restartPolicy: "Never",
                        automountServiceAccountToken: false,
                        serviceAccountName: args.serviceAccountName,
                        securityContext: podSecurityContext(coreRunAs),
                        volumes: args.runtime.volumes,
                        containers: [
                            args.runtime.coreContainer(
                                "collectstatic",
                                ["python3", "manage.py", "collectstatic", "--noinput"],
                                args.resources,
                            ),
                        ],
                    },
                },
            },
        },
        { parent, customTimeouts: { create: "15m", update: "15m" } },
    );
}
