import { RuleContext, RuleSpec, resourcesRule } from "../lib/define";
import { setting, SettingsSpec } from "../lib/settings";
import { isKnown, known, knownEntries, knownList, Maybe, UNKNOWN } from "../lib/unknown";
import { COMPONENT_LABEL, Container, k8s, ObjectMeta, PodSpec, PodTemplateSpec } from "./types";

interface WorkloadKind {
    readonly type: string;
    readonly kind: string;
    /** Runs until told to stop, so it needs probes; Jobs and CronJobs run to completion. */
    readonly longRunning: boolean;
    readonly template: (props: any) => PodTemplateSpec | undefined;
}

/**
 * An Argo Rollout (argoproj.io/v1alpha1): a Deployment's replacement for progressive delivery, with
 * the same pod template at spec.template (argo-rollouts docs/features/specification.md). A Rollout
 * that points at a Deployment instead (`spec.workloadRef`) has no template of its own; the
 * Deployment is judged.
 */
export const ROLLOUT_TYPE = "kubernetes:argoproj.io/v1alpha1:Rollout";

/** The kinds that run a replicated, long-lived app: HPAs, PDBs and the migration order apply to them alike. */
export const REPLICATED_APP_TYPES: readonly string[] = [k8s.apps.Deployment.__pulumiType, ROLLOUT_TYPE];

const workloadKinds: readonly WorkloadKind[] = [
    { type: k8s.apps.Deployment.__pulumiType, kind: "Deployment", longRunning: true, template: (p) => p.spec?.template },
    { type: ROLLOUT_TYPE, kind: "Rollout", longRunning: true, template: (p) => p.spec?.template },
    { type: k8s.apps.StatefulSet.__pulumiType, kind: "StatefulSet", longRunning: true, template: (p) => p.spec?.template },
    { type: k8s.apps.DaemonSet.__pulumiType, kind: "DaemonSet", longRunning: true, template: (p) => p.spec?.template },
    { type: k8s.batch.Job.__pulumiType, kind: "Job", longRunning: false, template: (p) => p.spec?.template },
    { type: k8s.batch.CronJob.__pulumiType, kind: "CronJob", longRunning: false, template: (p) => p.spec?.jobTemplate?.spec?.template },
];

export const WORKLOAD_TYPES: readonly string[] = workloadKinds.map((k) => k.type);

/** Any resource as the policy SDK hands it over: ResourceValidationArgs and PolicyResource both fit. */
export interface ResourceLike {
    readonly type: string;
    readonly name: string;
    readonly urn?: string;
    readonly props: Record<string, any>;
}

export interface Workload {
    readonly kind: string;
    readonly longRunning: boolean;
    /** "Deployment saleor/api", for messages. */
    readonly label: string;
    /** Namespace, "default" when unset. */
    readonly namespace: Maybe<string>;
    readonly name: Maybe<string>;
    readonly podLabels: Maybe<Record<string, string>>;
    /** The pod's app.kubernetes.io/component label. */
    readonly component: Maybe<string | undefined>;
    readonly podSpec: Maybe<PodSpec | undefined>;
    readonly resource: ResourceLike;
}

export interface ContainerRef {
    readonly container: Container;
    readonly init: boolean;
    /** `container "api"` or `init container "wait-for-db"`, for messages. */
    readonly label: string;
}

export function namespaceOf(read: () => ObjectMeta | undefined): Maybe<string> {
    const namespace = known(() => read()?.namespace);
    return namespace === UNKNOWN ? UNKNOWN : namespace || "default";
}

/** metadata.name, or the Pulumi resource name when the provider will auto-name the object. */
export function objectName(resource: ResourceLike, read: () => ObjectMeta | undefined): Maybe<string> {
    const name = known(() => read()?.name);
    return name === UNKNOWN ? UNKNOWN : name || resource.name;
}

export function describeObject(kind: string, namespace: Maybe<string>, name: Maybe<string>, resource: ResourceLike): string {
    const shownName = isKnown(name) ? name : resource.name;
    return isKnown(namespace) ? `${kind} ${namespace}/${shownName}` : `${kind} ${shownName}`;
}

/** Known labels as a map; UNKNOWN when any label is unknown (a selector match cannot be decided). */
export function knownLabels(read: () => Record<string, string> | undefined): Maybe<Record<string, string>> {
    const { entries, hasUnknown } = knownEntries(read);
    return hasUnknown ? UNKNOWN : Object.fromEntries(entries.map(([k, v]) => [k, String(v)]));
}

export function asWorkload(resource: ResourceLike): Workload | undefined {
    const kind = workloadKinds.find((k) => k.type === resource.type);
    if (!kind) {
        return undefined;
    }
    const props = resource.props;
    const namespace = namespaceOf(() => props.metadata);
    const name = objectName(resource, () => props.metadata);
    const template = known(() => kind.template(props));
    const podLabels = template === UNKNOWN ? UNKNOWN : knownLabels(() => template?.metadata?.labels);
    const component = template === UNKNOWN ? UNKNOWN : known(() => template?.metadata?.labels?.[COMPONENT_LABEL]);
    const podSpec = template === UNKNOWN ? UNKNOWN : known(() => template?.spec);
    return {
        kind: kind.kind,
        longRunning: kind.longRunning,
        label: describeObject(kind.kind, namespace, name, resource),
        namespace,
        name,
        podLabels,
        component,
        podSpec,
        resource,
    };
}

/** The workload's pod spec once the engine knows it; undefined while it is unknown or absent. */
export function knownPodSpec(workload: Workload): PodSpec | undefined {
    const podSpec = workload.podSpec;
    return isKnown(podSpec) ? podSpec : undefined;
}

/** The known, non-empty image of each known container (init containers included). */
export function imagesOf(workload: Workload): { readonly ref: ContainerRef; readonly image: string }[] {
    return containersOf(workload).flatMap((ref) => {
        const image = known(() => ref.container.image);
        return isKnown(image) && typeof image === "string" && image !== "" ? [{ ref, image }] : [];
    });
}

/**
 * The workload's known containers, init containers included unless asked otherwise. Unknown
 * containers are skipped: nothing can be said about them until the engine knows them.
 */
export function containersOf(workload: Workload, options: { init?: boolean } = {}): ContainerRef[] {
    const podSpec = knownPodSpec(workload);
    if (!podSpec) {
        return [];
    }
    const refs: ContainerRef[] = [];
    const collect = (init: boolean, read: () => Container[] | undefined) => {
        knownList(read).items.forEach((container, index) => {
            const name = known(() => container.name);
            const shown = isKnown(name) && name ? `"${name}"` : `#${index}`;
            refs.push({ container, init, label: `${init ? "init container" : "container"} ${shown}` });
        });
    };
    if (options.init !== false) {
        collect(true, () => podSpec.initContainers);
    }
    collect(false, () => podSpec.containers);
    return refs;
}

/** The container's command and args as one string, for "does it run X" checks. */
export function commandLineOf(container: Container): Maybe<string> {
    const command = knownList(() => container.command);
    const args = knownList(() => container.args);
    if (command.hasUnknown || args.hasUnknown) {
        return UNKNOWN;
    }
    return [...command.items, ...args.items].map(String).join(" ");
}

const exemptSettings = {
    exemptComponents: setting.strings(
        [],
        "Pod component labels (app.kubernetes.io/component) this rule does not judge in this stack, e.g. dev's in-cluster data stores.",
    ),
};

/** A rule about every workload kind; any such rule can exempt components per stack. */
export function workloadRule<S extends SettingsSpec = {}>(
    spec: RuleSpec<S> & { readonly validate: (workload: Workload, context: RuleContext<S & typeof exemptSettings>) => void },
) {
    return resourcesRule<S & typeof exemptSettings>({
        ...spec,
        types: WORKLOAD_TYPES,
        settings: { ...(spec.settings ?? ({} as S)), ...exemptSettings },
        validate: (args, context) => {
            const workload = asWorkload(args)!;
            const exempt = context.config.exemptComponents as readonly string[];
            if (exempt.length > 0) {
                if (!isKnown(workload.component)) {
                    // It might be one of the exempt components; judging it could be a false violation.
                    return;
                }
                if (workload.component !== undefined && exempt.includes(workload.component)) {
                    args.notApplicable(`component "${workload.component}" is exempt in this stack's config`);
                }
            }
            spec.validate(workload, context);
        },
    });
}
