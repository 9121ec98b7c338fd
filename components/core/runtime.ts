import type * as k8s from "@pulumi/kubernetes";
import { ConfigMap } from "@pulumi/kubernetes/core/v1/configMap";
import { Secret } from "@pulumi/kubernetes/core/v1/secret";
import * as pulumi from "@pulumi/pulumi";
import type { ConnectionFacts } from "../data/types";
import { appLabels, containerSecurityContext, digest, resourceRequirements, type ResourceSpec, type RunAs } from "../kubernetes/workload";
import { coreConfigData, coreSecretData, type CoreSecrets, type CoreSettings, type PublicHosts } from "./env";

/** The Core image creates a system user `saleor` (`useradd -r` on Debian: uid/gid 999) and owns /app/media by it. */
export const coreRunAs: RunAs = { user: 999, group: 999 };

export interface CoreRuntimeArgs {
    readonly namespace: pulumi.Input<string>;
    readonly instance: string;
    readonly image: pulumi.Input<string>;
    readonly hosts: PublicHosts;
    readonly settings: CoreSettings;
    readonly secrets: CoreSecrets;
    /** A Secret kept by External Secrets Operator, read instead of one written here (SaleorCoreArgs.syncedSecret). */
    readonly syncedSecret?: { readonly name: pulumi.Input<string>; readonly version: pulumi.Input<string> };
    readonly connection: ConnectionFacts;
    /** The API Service's in-cluster host name, which goes into ALLOWED_HOSTS. */
    readonly internalApiHost: pulumi.Output<string>;
    readonly extraConfig?: Record<string, pulumi.Input<string>>;
}

/** What every Core pod (migration, API, worker, beat, demo data) is built from. */
export interface CoreRuntime {
    /** A digest of every setting, for a pod annotation; it reveals nothing. */
    readonly configDigest: pulumi.Output<string>;
    /** A scratch /tmp, the media volume where media lives on one, and the database CA bundle where there is one. */
    readonly volumes: k8s.types.input.core.v1.Volume[];
    /** A container of the Core image running `command`, with Core's settings as its environment. */
    readonly coreContainer: (containerName: string, command: string[], resources: ResourceSpec) => k8s.types.input.core.v1.Container;
}

/** Core's settings as a ConfigMap and a Secret, and the container and volumes every Core pod shares. */
export function createRuntime(name: string, args: CoreRuntimeArgs, parent: pulumi.Resource): CoreRuntime {
    const parentOpts: pulumi.CustomResourceOptions = { parent };
    const ns = args.namespace;
    const instance = args.instance;

    const configData = coreConfigData({
        hosts: args.hosts,
        settings: args.settings,
        media: args.connection.media,
        internalApiHost: args.internalApiHost,
    }).apply((d) => ({ ...d, ...(args.extraConfig ?? {}) }));
    const synced = args.syncedSecret;
    // With a synced Secret the values never pass through a Kubernetes object Pulumi writes; its
    // version stands in for them in the digest.
    const secretData = synced
        ? pulumi.output(synced.version).apply((version) => ({ version }))
        : coreSecretData(args.connection, args.secrets);

    const config = new ConfigMap(
        `${name}-config`,
        {
            metadata: { namespace: ns, labels: appLabels("core", instance) },
            data: configData as pulumi.Output<Record<string, string>>,
        },
        parentOpts,
    );
    const secretName: pulumi.Input<string> =
        synced?.name ??
        new Secret(
            `${name}-env`,
            {
                metadata: { namespace: ns, labels: appLabels("core", instance) },
                type: "Opaque",
                stringData: secretData,
            },
            parentOpts,
        ).metadata.name;

    // A digest of every setting, as a pod annotation; it reveals nothing. It does not spare the
    // ConfigMap or Secret a rename: pulumi-kubernetes 4.x replaces a ConfigMap or Secret on any data
    // change unless the provider sets enableConfigMapMutable / enableSecretMutable (ours do not;
    // provider docs, and pulumi/pulumi-kubernetes#1567 and the v4.18.0 release notes), and both are
    // auto-named, so the replacement gets a new name. Every pod template that references them
    // changes with it: the Deployments roll, and the migration and collectstatic Jobs, whose
    // spec.template is immutable, are replaced and so run again after any setting change, not only
    // a new image. What the digest adds is that the pods still roll should the provider ever update
    // ConfigMaps and Secrets in place (the release notes name that as a possible v5 default).
    const configDigest = pulumi.unsecret(
        pulumi.all([configData, secretData]).apply(([c, s]) => digest(JSON.stringify(c), JSON.stringify(s))),
    );

    const envFrom: k8s.types.input.core.v1.EnvFromSource[] = [
        { configMapRef: { name: config.metadata.name } },
        { secretRef: { name: secretName } },
    ];
    const mediaVolumes =
        args.connection.media.kind === "volume"
            ? {
                  volumes: [{ name: "media", persistentVolumeClaim: { claimName: args.connection.media.claimName } }],
                  mounts: [{ name: "media", mountPath: "/app/media" }],
              }
            : { volumes: [], mounts: [] };
    // Read-only root file system; Python, uploads and Celery get a scratch /tmp (HOME too: the
    // `saleor` system user has no home directory).
    // The database servers' root CAs (AWS), which DATABASE_URL's `sslrootcert` names: read-only.
    const ca = args.connection.databaseCa;
    const caVolumes = ca
        ? {
              volumes: [{ name: "rds-ca", configMap: { name: ca.configMapName } }],
              mounts: [{ name: "rds-ca", mountPath: ca.mountPath, readOnly: true }],
          }
        : { volumes: [], mounts: [] };
    const volumes = [{ name: "tmp", emptyDir: {} }, ...mediaVolumes.volumes, ...caVolumes.volumes];
    const volumeMounts = [{ name: "tmp", mountPath: "/tmp" }, ...mediaVolumes.mounts, ...caVolumes.mounts];
    const coreContainer = (containerName: string, command: string[], resources: ResourceSpec): k8s.types.input.core.v1.Container => ({
        name: containerName,
        image: args.image,
        command,
        env: [{ name: "HOME", value: "/tmp" }],
        envFrom,
        resources: resourceRequirements(resources),
        securityContext: containerSecurityContext(true),
        volumeMounts,
    });
    return { configDigest, volumes, coreContainer };
}
