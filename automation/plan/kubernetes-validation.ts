/**
 * The checks the Kubernetes API server would make on each object of a plan, offline: the object
 * against the API's OpenAPI schema (types, enums, required fields, and no unknown field, which
 * `kubectl` and server-side apply refuse with strict field validation), plus the API server's own
 * validation that no schema expresses: requests within limits, a workload's selector matching its
 * pod template's labels, DNS-1123 names, container port names (IANA_SVC_NAME, unique in a pod).
 *
 * The schema comes from kubernetes-models (its validators are compiled from the Kubernetes OpenAPI
 * document; 4.5.1 carries Kubernetes 1.33, the last release that loads under Node 20: 5.x is
 * ESM-only for Node 22 and carries 1.36). The API groups and versions this project uses are the
 * same in 1.33 and 1.34; a field new in 1.34 would be reported as unknown, so we notice it rather
 * than let it pass. The module and each kind's validator are loaded only when a plan is checked
 * (the plan CLI requires this file after the program is evaluated).
 *
 * Values a plan cannot know (`[unknown]`) or must not show (`[secret]`) are never a reason to
 * reject: schema errors at or under such a value are dropped, and the API server's checks skip a
 * quantity, name or label that is one of them.
 */
import type { PlanDocument } from "./json";
// Not from ./json, which loads the SDK: this module is loaded on the plan's checks thread (plan/checks.ts).
import { secretText, unknownText } from "./redaction";

/** The Kubernetes minor whose OpenAPI schema the objects are checked against (kubernetes-models 4.5.1). */
export const schemaKubernetesVersion = "1.33";

/** An object the API server would refuse: which, where in it, and why. */
export interface KubernetesRejection {
    urn: string;
    /** Dotted path into the object, e.g. `spec.template.spec.containers[0].resources.requests.cpu`. */
    path: string;
    reason: string;
}

export interface KubernetesValidation {
    rejections: KubernetesRejection[];
    /** URNs of the objects validated. */
    validated: string[];
    /** Kubernetes steps not validated, with why (Helm releases, providers, kinds without a schema). */
    skipped: { urn: string; why: string }[];
}

/** One line per rejection, as the plan prints it on stderr. */
export function rejectionLines(v: KubernetesValidation): string[] {
    return v.rejections.map((r) => `the Kubernetes API server would reject ${r.urn}: ${r.path}: ${r.reason}`);
}

type Json = Record<string, unknown>;

/** `kubernetes:apps/v1:Deployment` → { apiVersion: "apps/v1", kind: "Deployment" }; undefined for what is not an API object. */
export function apiObjectOf(type: string): { apiVersion: string; kind: string } | { skip: string } {
    const m = /^kubernetes:([^:]+):([^:]+)$/.exec(type);
    if (!m) return { skip: "not a Kubernetes API object" };
    const [, groupVersion, kind] = m;
    if (groupVersion.startsWith("helm.sh/")) return { skip: "a Helm release: its chart renders the objects at deploy time" };
    if (groupVersion.startsWith("yaml/") || groupVersion.startsWith("kustomize/")) return { skip: "a manifest bundle, not an object" };
    if (kind.endsWith("Patch")) return { skip: "a patch of an existing object, not a whole object" };
    if (kind.endsWith("List")) return { skip: "a list of objects" };
    const apiVersion = groupVersion.startsWith("core/") ? groupVersion.slice("core/".length) : groupVersion;
    return { apiVersion, kind };
}

type Validate = (this: unknown) => void;
const validators = new Map<string, Validate | undefined>();

/** The kubernetes-models validator of one kind, loaded on first use; undefined where the package has none (custom resources). */
function validatorOf(apiVersion: string, kind: string): Validate | undefined {
    const key = `${apiVersion}/${kind}`;
    if (!validators.has(key)) {
        let fn: Validate | undefined;
        try {
            const mod = require(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, { prototype: { validate: Validate } }>;
            fn = mod[kind]?.prototype.validate;
        } catch {
            fn = crdValidatorOf(apiVersion, kind);
        }
        validators.set(key, fn);
    }
    return validators.get(key);
}

/**
 * The custom resources the project creates, with the schema their pinned CRDs install, by the file
 * of compiled validators that holds them: External Secrets (`v1`, chart 2.9.0, catalog/charts.ts;
 * kubernetes-models' package for them stops at v1beta1 on Node 20) and Argo Rollouts (`v1alpha1`,
 * v1.9.0, the appVersion of the pinned chart). Their validators are compiled from the CRDs' own
 * schemas (scripts/generate-crd-validators.ts).
 */
const crdValidators: Record<string, { readonly set: string; readonly name: string }> = {
    "external-secrets.io/v1/ExternalSecret": { set: "external-secrets", name: "ExternalSecret" },
    "external-secrets.io/v1/ClusterSecretStore": { set: "external-secrets", name: "ClusterSecretStore" },
    "argoproj.io/v1alpha1/Rollout": { set: "argo-rollouts", name: "Rollout" },
    "argoproj.io/v1alpha1/AnalysisTemplate": { set: "argo-rollouts", name: "AnalysisTemplate" },
};

type AjvValidate = ((data: unknown) => boolean) & { errors?: unknown[] | null };

/** A CRD's compiled validator in the shape of kubernetes-models' (throws `{ errors }`); undefined for other kinds. */
function crdValidatorOf(apiVersion: string, kind: string): Validate | undefined {
    const crd = crdValidators[`${apiVersion}/${kind}`];
    if (!crd) return undefined;
    const validate = (require(`./crds/${crd.set}.validators.js`) as Record<string, AjvValidate>)[crd.name];
    // A CRD's schema leaves `metadata` an object; the API server checks it as every object's ObjectMeta.
    const objectMeta = (
        require("@kubernetes-models/apimachinery/_schemas/IoK8sApimachineryPkgApisMetaV1ObjectMeta") as {
            validate: ((data: unknown, at: { instancePath: string }) => boolean) & { errors?: unknown[] | null };
        }
    ).validate;
    const schema = (require(`./crds/${crd.set}.json`) as { kinds: Record<string, Json> }).kinds[`${apiVersion}/${kind}`];
    const check = function (this: unknown) {
        const errors = [
            ...(validate(this) ? [] : (validate.errors ?? [])),
            // kubernetes-models' validators carry no messages: a type error reads as ajv's would.
            ...(objectMeta((this as Json).metadata ?? {}, { instancePath: "/metadata" }) ? [] : (objectMeta.errors ?? [])).map((e) => {
                const error = e as { keyword: string; message?: string; params?: { type?: string } };
                return error.message || error.keyword !== "type" ? error : { ...error, message: `must be ${error.params?.type}` };
            }),
        ];
        if (errors.length > 0) throw Object.assign(new Error(`${kind} does not match its CRD's schema`), { errors });
    };
    return Object.assign(check, { preservesUnknownFields: (segments: (string | number)[]) => preservesAt(schema, segments) });
}

/**
 * Whether the CRD's schema keeps whatever is at `segments` (`x-kubernetes-preserve-unknown-fields`
 * without properties of its own): the API server stores such a value as given, so no key under it is
 * an unknown field. Argo Rollouts' CRDs leave parts of the pod template open this way (resources'
 * limits and requests, volumes).
 */
function preservesAt(schema: Json | undefined, segments: (string | number)[]): boolean {
    let node: any = schema;
    for (const segment of segments) {
        if (!node) return false;
        if (node["x-kubernetes-preserve-unknown-fields"] === true && !node.properties) return true;
        node =
            typeof segment === "number"
                ? node.items
                : (node.properties?.[segment] ?? (typeof node.additionalProperties === "object" ? node.additionalProperties : undefined));
    }
    return node?.["x-kubernetes-preserve-unknown-fields"] === true && !node.properties;
}

/** Loads the validator of a resource type ahead of validation (plan/checks.ts); nothing for what is not an API object. */
export function preloadValidator(type: string): void {
    const api = apiObjectOf(type);
    if (!("skip" in api)) validatorOf(api.apiVersion, api.kind);
}

/** Validates every Kubernetes object in the plan. */
export function validateKubernetesObjects(doc: Pick<PlanDocument, "steps">): KubernetesValidation {
    const result: KubernetesValidation = { rejections: [], validated: [], skipped: [] };
    for (const step of doc.steps) {
        const state = step.newState;
        if (!state || !state.type.startsWith("kubernetes:")) continue;
        const api = apiObjectOf(state.type);
        if ("skip" in api) {
            result.skipped.push({ urn: step.urn, why: api.skip });
            continue;
        }
        const validate = validatorOf(api.apiVersion, api.kind);
        if (!validate) {
            result.skipped.push({ urn: step.urn, why: `no schema for ${api.apiVersion} ${api.kind}` });
            continue;
        }
        const object: Json = { ...state.inputs, apiVersion: api.apiVersion, kind: api.kind };
        result.validated.push(step.urn);
        for (const p of [...schemaProblems(validate, object), ...apiServerProblems(api.kind, object, step.urn)]) {
            result.rejections.push({ urn: step.urn, ...p });
        }
    }
    return result;
}

type Problem = { path: string; reason: string };

const isRedacted = (v: unknown): boolean => v === unknownText || v === secretText;

/** `["spec", "containers", 0, "name"]` → `spec.containers[0].name`. */
function pathText(segments: (string | number)[]): string {
    return segments.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("") || "(the object)";
}

/** `/spec/containers/0/name` (ajv's instancePath) → segments. */
function pointerSegments(pointer: string): (string | number)[] {
    if (!pointer) return [];
    return pointer
        .slice(1)
        .split("/")
        .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function valueAt(object: unknown, segments: (string | number)[]): unknown {
    let v = object;
    for (const s of segments) {
        if (!v || typeof v !== "object") return undefined;
        v = (v as Record<string | number, unknown>)[s];
    }
    return v;
}

/** True when the value at `segments`, or any value above it, is one the plan could not know. */
function underRedacted(object: unknown, segments: (string | number)[]): boolean {
    for (let i = 0; i <= segments.length; i++) if (isRedacted(valueAt(object, segments.slice(0, i)))) return true;
    return false;
}

/**
 * The schema's verdict, and the fields it does not know. The Kubernetes OpenAPI schema does not
 * close its objects (no `additionalProperties: false`), so unknown fields are found by watching
 * which properties the compiled validator reads: it reads every property its schema declares, and
 * every key of a map; a key it never read is a field the API does not have.
 */
function schemaProblems(validate: Validate, object: Json): Problem[] {
    const reads = new Map<object, Set<string>>();
    const proxies = new WeakMap<object, object>();
    const watched = (o: unknown): unknown => {
        if (!o || typeof o !== "object") return o;
        let p = proxies.get(o);
        if (!p) {
            const seen = new Set<string>();
            reads.set(o, seen);
            p = new Proxy(o, {
                get(target, key, receiver) {
                    if (typeof key === "string") seen.add(key);
                    return watched(Reflect.get(target, key, receiver));
                },
            });
            proxies.set(o, p);
        }
        return p;
    };
    const problems: Problem[] = [];
    try {
        validate.call(watched(object));
    } catch (e) {
        const errors = (e as { errors?: { instancePath: string; message?: string; keyword: string; params?: Record<string, unknown> }[] })
            .errors;
        if (!errors) throw e;
        for (const error of errors) {
            const segments = pointerSegments(error.instancePath);
            if (underRedacted(object, segments)) continue;
            let reason = error.message ?? error.keyword;
            if (error.keyword === "enum" && Array.isArray(error.params?.allowedValues))
                reason += `: ${(error.params.allowedValues as unknown[]).map((a) => JSON.stringify(a)).join(", ")}`;
            problems.push({ path: pathText(segments), reason });
        }
    }
    const preserves = (validate as { preservesUnknownFields?: (segments: (string | number)[]) => boolean }).preservesUnknownFields;
    const walk = (o: unknown, segments: (string | number)[]): void => {
        if (!o || typeof o !== "object") return;
        if (preserves?.(segments)) return;
        const seen = reads.get(o);
        if (!seen) return; // not reached by the validator: under a value the schema already refused
        if (Array.isArray(o)) {
            o.forEach((item, i) => walk(item, [...segments, i]));
            return;
        }
        for (const [key, value] of Object.entries(o)) {
            if (!seen.has(key)) {
                if (!preserves?.([...segments, key])) problems.push({ path: pathText([...segments, key]), reason: "unknown field" });
            } else walk(value, [...segments, key]);
        }
    };
    walk(object, []);
    return problems;
}

// The API server's own validation (k8s.io/apimachinery/pkg/util/validation and pkg/apis/core/validation).
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const ianaSvcName = /^[-a-z0-9]+$/;

function labelProblem(name: string): string | undefined {
    if (name.length > 63) return `"${name}" is ${name.length} characters; a DNS-1123 label has at most 63`;
    if (!dns1123Label.test(name))
        return `"${name}" is not a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit`;
    return undefined;
}

function dns1035Problem(name: string): string | undefined {
    if (name.length > 63) return `"${name}" is ${name.length} characters; a DNS-1035 label has at most 63`;
    if (!dns1035Label.test(name))
        return `"${name}" is not a DNS-1035 label: lower-case letters, digits and '-', starting with a letter and ending with a letter or digit`;
    return undefined;
}

function subdomainProblem(name: string): string | undefined {
    if (name.length > 253) return `"${name}" is ${name.length} characters; a DNS-1123 subdomain has at most 253`;
    if (!dns1123Subdomain.test(name))
        return `"${name}" is not a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit`;
    return undefined;
}

function portNameProblem(name: string): string | undefined {
    if (name.length > 15) return `"${name}" is ${name.length} characters; a port name (IANA_SVC_NAME) has at most 15`;
    if (!ianaSvcName.test(name)) return `"${name}" is not an IANA_SVC_NAME: lower-case letters, digits and '-'`;
    if (!/[a-z]/.test(name)) return `"${name}" must contain at least one letter`;
    if (name.startsWith("-") || name.endsWith("-")) return `"${name}" must not start or end with '-'`;
    if (name.includes("--")) return `"${name}" must not contain '--'`;
    return undefined;
}

/** Kinds whose name the API server checks as a DNS-1123 label or DNS-1035 label; every other kind's is a DNS-1123 subdomain. */
const nameRule: Record<string, (n: string) => string | undefined> = {
    Namespace: labelProblem,
    Service: dns1035Problem,
};

/** Where a kind keeps its pod template, and whether its selector must match that template's labels. */
const podTemplates: Record<string, { template: string[]; selector?: "labelSelector" | "map" | "manual" }> = {
    Pod: { template: [] },
    Deployment: { template: ["spec", "template"], selector: "labelSelector" },
    StatefulSet: { template: ["spec", "template"], selector: "labelSelector" },
    DaemonSet: { template: ["spec", "template"], selector: "labelSelector" },
    ReplicaSet: { template: ["spec", "template"], selector: "labelSelector" },
    ReplicationController: { template: ["spec", "template"], selector: "map" },
    Job: { template: ["spec", "template"], selector: "manual" },
    CronJob: { template: ["spec", "jobTemplate", "spec", "template"] },
};

/** Pulumi names an object with no metadata.name after its resource: the URN's name, a dash and a random suffix. */
const autonameSuffix = "-0123abcd";

function apiServerProblems(kind: string, object: Json, urn: string): Problem[] {
    const problems: Problem[] = [];
    const metadata = (object.metadata ?? {}) as Json;
    const rule = nameRule[kind] ?? subdomainProblem;
    if (typeof metadata.name === "string") {
        if (!isRedacted(metadata.name)) {
            const p = rule(metadata.name);
            if (p) problems.push({ path: "metadata.name", reason: p });
        }
    } else if (metadata.name === undefined && metadata.generateName === undefined) {
        const logical = urn.slice(urn.lastIndexOf("::") + 2);
        const p = rule(`${logical}${autonameSuffix}`);
        if (p) problems.push({ path: "metadata.name", reason: `auto-named from the resource name "${logical}" plus a suffix: ${p}` });
    }
    if (typeof metadata.namespace === "string" && !isRedacted(metadata.namespace)) {
        const p = labelProblem(metadata.namespace);
        if (p) problems.push({ path: "metadata.namespace", reason: p });
    }

    const shape = podTemplates[kind];
    if (!shape) return problems;
    const template = valueAt(object, shape.template) as Json | undefined;
    if (!template || typeof template !== "object" || isRedacted(template)) return problems;
    const podSpecPath = [...shape.template, "spec"];
    const podSpec = (kind === "Pod" ? object.spec : template.spec) as Json | undefined;
    if (podSpec && typeof podSpec === "object") problems.push(...podSpecProblems(podSpec, podSpecPath));

    if (shape.selector) {
        const labels = (valueAt(template, ["metadata", "labels"]) ?? {}) as Record<string, unknown>;
        const selector = valueAt(object, ["spec", "selector"]);
        if (!isRedacted(labels) && !isRedacted(selector)) {
            if (shape.selector === "map") {
                problems.push(...selectorProblems({ matchLabels: selector }, labels, shape.template, false));
            } else if (shape.selector === "labelSelector") {
                problems.push(...selectorProblems(selector as Json | undefined, labels, shape.template, true));
            } else if (valueAt(object, ["spec", "manualSelector"]) === true) {
                problems.push(...selectorProblems(selector as Json | undefined, labels, shape.template, true));
            }
        }
    }
    return problems;
}

/** `selector` must be non-empty and select `labels`, the pod template's (apps/v1 ValidateDeploymentSpec and its siblings). */
function selectorProblems(
    selector: Json | undefined,
    labels: Record<string, unknown>,
    templatePath: string[],
    required: boolean,
): Problem[] {
    const matchLabels = (selector?.matchLabels ?? {}) as Record<string, unknown>;
    const expressions = (selector?.matchExpressions ?? []) as Json[];
    if (isRedacted(matchLabels) || isRedacted(expressions)) return [];
    if (Object.keys(matchLabels).length === 0 && (!Array.isArray(expressions) || expressions.length === 0)) {
        return required ? [{ path: "spec.selector", reason: "empty selector is invalid: it would select every pod" }] : [];
    }
    const labelsPath = pathText([...templatePath, "metadata", "labels"]);
    const problems: Problem[] = [];
    for (const [key, value] of Object.entries(matchLabels)) {
        if (isRedacted(value) || isRedacted(labels[key])) continue;
        if (labels[key] !== value)
            problems.push({
                path: `spec.selector.matchLabels.${key}`,
                reason: `selector does not match template labels: "${String(value)}", but ${labelsPath} has ${labels[key] === undefined ? "no such label" : `"${String(labels[key])}"`}`,
            });
    }
    if (Array.isArray(expressions)) {
        expressions.forEach((e, i) => {
            const key = String(e.key);
            const values = Array.isArray(e.values) ? e.values : [];
            if (values.some(isRedacted) || isRedacted(labels[key])) return;
            const has = key in labels;
            const matches =
                e.operator === "In"
                    ? has && values.includes(labels[key])
                    : e.operator === "NotIn"
                      ? !has || !values.includes(labels[key])
                      : e.operator === "Exists"
                        ? has
                        : e.operator === "DoesNotExist"
                          ? !has
                          : true;
            if (!matches)
                problems.push({
                    path: `spec.selector.matchExpressions[${i}]`,
                    reason: `selector does not match template labels: ${key} ${String(e.operator)} ${JSON.stringify(values)} is false for ${labelsPath}`,
                });
        });
    }
    return problems;
}

function podSpecProblems(podSpec: Json, at: string[]): Problem[] {
    const problems: Problem[] = [];
    const containerNames = new Map<string, string>();
    const portNames = new Map<string, string>();
    for (const field of ["initContainers", "containers"]) {
        const list = podSpec[field];
        if (!Array.isArray(list)) continue;
        list.forEach((c: Json, i) => {
            if (!c || typeof c !== "object") return;
            const here = [...at, field, i];
            if (typeof c.name === "string" && !isRedacted(c.name)) {
                const p = labelProblem(c.name);
                if (p) problems.push({ path: pathText([...here, "name"]), reason: p });
                const other = containerNames.get(c.name);
                if (other) problems.push({ path: pathText([...here, "name"]), reason: `"${c.name}" is also the name of ${other}` });
                containerNames.set(c.name, pathText(here));
            }
            if (Array.isArray(c.ports)) {
                c.ports.forEach((port: Json, j) => {
                    if (!port || typeof port.name !== "string" || isRedacted(port.name)) return;
                    const portPath = pathText([...here, "ports", j, "name"]);
                    const p = portNameProblem(port.name);
                    if (p) problems.push({ path: portPath, reason: p });
                    const other = portNames.get(port.name);
                    if (other)
                        problems.push({
                            path: portPath,
                            reason: `"${port.name}" is already the name of ${other}: port names must be unique in a pod`,
                        });
                    else portNames.set(port.name, portPath.replace(/\.name$/, ""));
                });
            }
            problems.push(...resourceProblems(c.resources as Json | undefined, [...here, "resources"]));
        });
    }
    return problems;
}

/** Each resource's request must not exceed its limit (ValidateResourceRequirements). */
function resourceProblems(resources: Json | undefined, at: (string | number)[]): Problem[] {
    if (!resources || typeof resources !== "object") return [];
    const requests = resources.requests as Record<string, unknown> | undefined;
    const limits = resources.limits as Record<string, unknown> | undefined;
    if (!requests || !limits || typeof requests !== "object" || typeof limits !== "object") return [];
    const problems: Problem[] = [];
    for (const [name, request] of Object.entries(requests)) {
        const limit = limits[name];
        if (limit === undefined || isRedacted(request) || isRedacted(limit)) continue;
        const r = parseQuantity(request);
        const l = parseQuantity(limit);
        if (r === undefined || l === undefined) continue; // the schema names a malformed quantity
        if (r > l)
            problems.push({
                path: pathText([...at, "requests", name]),
                reason: `must be less than or equal to ${name} limit of ${String(limit)} (request ${String(request)})`,
            });
    }
    return problems;
}

const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimal: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A Kubernetes quantity (`250m`, `1.5`, `512Mi`, `1e3`) as a number; undefined if it is not one. */
export function parseQuantity(q: unknown): number | undefined {
    if (typeof q === "number") return Number.isFinite(q) ? q : undefined;
    if (typeof q !== "string") return undefined;
    const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|n|u|m|k|M|G|T|P|E|)$/.exec(q);
    if (!m) return undefined;
    const n = Number(m[1]);
    const suffix = m[2];
    if (suffix in binary) return n * binary[suffix];
    if (/^[eE]/.test(suffix)) return n * 10 ** Number(suffix.slice(1));
    return n * decimal[suffix];
}
