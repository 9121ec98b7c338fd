import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { deserializeProperty, serializeProperties, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import type { PlanMocks } from "./fake-cloud";
import { answerWithoutStruct, sdkStruct, type PatchOptions } from "./sdk-patches";

/** How the monitor records: the SDK patches in use, and who to tell of each registration. */
export interface RecordingOptions extends PatchOptions {
    /**
     * Called with each resource's type as it is registered, while the program still runs: the plan
     * uses it to have the checks of a kind loaded before the program has finished (plan/checks.ts).
     */
    readonly onRegister?: (type: string) => void;
}

/** A resource as the engine would receive it: inputs plus the options on the registration request. */
export interface RecordedResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    /** Parent URN; "" for top-level resources. */
    parent: string;
    /** Provider reference `<urn>::<id>`; "" where the default provider applies. */
    provider: string;
    id: string;
    /** Inputs as serialized for the engine: secrets keep their signature wrapper. */
    inputs: Record<string, unknown>;
    /** Every URN this resource waits for: explicit dependsOn and those derived from Output inputs. */
    dependencies: string[];
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    ignoreChanges: string[];
    /** Input paths whose change replaces the resource (the `replaceOnChanges` option); absent when none. */
    replaceOnChanges?: string[];
    /** URNs this resource was known by before (the `aliases` option): the engine moves their state to it. */
    aliases: string[];
    /** The `customTimeouts` option in seconds, as the engine keeps it in state; absent where none is set. */
    customTimeouts?: CustomTimeoutSeconds;
}

/** Timeouts per operation in seconds: the shape of the engine's resource.CustomTimeouts (apitype ResourceV3). */
export interface CustomTimeoutSeconds {
    create?: number;
    update?: number;
    delete?: number;
}

/**
 * The SDK's MockMonitor, also keeping what the registration request carries and `newResource` does
 * not see: parent, provider, dependencies, protect and the other resource options.
 *
 * Registration answers as MockMonitor does (same URN, id, state, and the state kept for
 * `getResource`), but decodes the request's inputs once instead of twice and hands the SDK the
 * serialized state without encoding it into a protobuf Struct the SDK would decode straight back
 * (protobuf was about a tenth of the production evaluation's CPU profile; this is a third of it).
 * Without `speedPatches` it encodes the Struct as MockMonitor does. What it uses of MockMonitor's private parts, checkMockMonitor (sdk-patches.ts) checks first.
 */
export class RecordingMonitor extends MockMonitor {
    readonly recorded: RecordedResource[] = [];
    private pending = 0;

    /** Told each registration's type as it arrives (see RecordingOptions). */
    private readonly onRegister?: (type: string) => void;

    /** The SDK's Struct, to encode answers with when the speed patches are off. */
    private readonly struct?: { fromJavaScript(state: Record<string, unknown>): unknown };

    constructor(
        private readonly planMocks: PlanMocks,
        opts: RecordingOptions = {},
    ) {
        super(planMocks);
        this.onRegister = opts.onRegister;
        if (opts.speedPatches === false) this.struct = sdkStruct() as typeof this.struct;
    }

    override async registerResource(req: any, callback: (err: any, response: any) => void): Promise<void> {
        this.pending++;
        let response: any;
        try {
            const record = recordOf(req);
            this.onRegister?.(record.type);
            const result = await this.planMocks.newResource({
                type: record.type,
                name: record.name,
                // As MockMonitor passes them: an unknown input is absent, not a sentinel.
                inputs: record.hasUnknowns ? decode(record.raw, false) : record.inputs,
                provider: record.provider,
                custom: record.custom,
                id: req.getImportid(),
            });
            const urn = engineUrn(pulumi.getStack(), pulumi.getProject(), record.parent, record.type, record.name);
            const id = result.id ?? "";
            const state = await serializeProperties("", result.state);
            this.resources.set(urn, { urn, id: result.id ?? null, state });
            const { raw: _raw, hasUnknowns: _unknowns, aliasRequests, ...recorded } = record;
            this.recorded.push({
                urn,
                id,
                ...recorded,
                aliases: aliasRequests.map((a) => aliasUrn(a, urn, record.parent)).filter((a): a is string => a !== undefined && a !== urn),
            });
            if (record.type.startsWith("pulumi:providers:")) {
                this.planMocks.rememberProvider(`${urn}::${id}`, record.inputs);
            }
            response = new resproto.RegisterResourceResponse();
            response.setUrn(urn);
            response.setId(id);
            // What Struct.fromJavaScript(state).toJavaScript() gives back: the SDK only decodes it.
            if (this.struct) response.setObject(this.struct.fromJavaScript(state));
            else answerWithoutStruct(response, state);
        } catch (err) {
            this.pending--;
            callback(err, undefined);
            return;
        }
        this.pending--;
        callback(null, response);
    }

    /** Whether a registration is still in flight. */
    get busy(): boolean {
        return this.pending > 0;
    }
}

/** What a registration request says about its resource, its inputs decoded once. */
function recordOf(req: any) {
    const propertyDependencies: string[] = [];
    req.getPropertydependenciesMap().forEach((deps: any) => propertyDependencies.push(...deps.getUrnsList()));
    const raw: Record<string, unknown> = req.getObject()?.toJavaScript() ?? {};
    let hasUnknowns = false;
    const inputs = decode(raw, true, () => {
        hasUnknowns = true;
    });
    return {
        type: req.getType() as string,
        name: req.getName() as string,
        custom: req.getCustom() as boolean,
        parent: req.getParent() as string,
        provider: req.getProvider() as string,
        /** Inputs as the engine receives them: secrets keep their signature wrapper, unknowns their sentinel. */
        inputs,
        raw,
        hasUnknowns,
        dependencies: [...new Set<string>([...req.getDependenciesList(), ...propertyDependencies])],
        protect: req.getProtect() === true,
        retainOnDelete: req.hasRetainondelete?.() ? req.getRetainondelete() === true : false,
        deleteBeforeReplace: req.getDeletebeforereplace() === true,
        ignoreChanges: req.getIgnorechangesList() as string[],
        ...optional("replaceOnChanges", nonEmpty(req.getReplaceonchangesList?.() as string[] | undefined)),
        aliasRequests: (req.getAliasesList?.() ?? []) as any[],
        ...optional("customTimeouts", customTimeoutsOf(req.getCustomtimeouts?.())),
    };
}

/**
 * The request's custom timeouts (Go duration strings such as "90m", as the SDK sends them) in
 * seconds, the unit the engine keeps in state; undefined when none is set.
 */
function customTimeoutsOf(
    t: { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined,
): CustomTimeoutSeconds | undefined {
    if (!t) return undefined;
    const out: CustomTimeoutSeconds = {};
    for (const [op, value] of [
        ["create", t.getCreate()],
        ["update", t.getUpdate()],
        ["delete", t.getDelete()],
    ] as const) {
        if (value) out[op] = durationSeconds(value);
    }
    return Object.keys(out).length > 0 ? out : undefined;
}

/** The list, or undefined when it is empty or missing. */
function nonEmpty(list: string[] | undefined): string[] | undefined {
    return list && list.length > 0 ? list : undefined;
}

/** `{ [key]: value }`, or nothing when value is undefined: the record has no key it does not use. */
function optional<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
    return (value === undefined ? {} : { [key]: value }) as { [k in K]?: V };
}

const durationUnits: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** A Go duration ("1h30m", "90m", "40s") in seconds, as the engine parses customTimeouts. */
export function durationSeconds(text: string): number {
    const parts = [...text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) throw new Error(`"${text}" is not a duration such as 90m or 1h30m`);
    return parts.reduce((sum, [, n, unit]) => sum + Number(n) * durationUnits[unit], 0);
}

/** `deserializeProperties` on an already decoded Struct; `onUnknown` hears of any unknown value. */
function decode(raw: Record<string, unknown>, keepUnknowns: boolean, onUnknown?: () => void): Record<string, any> {
    const props: Record<string, any> = {};
    for (const k of Object.keys(raw)) {
        if (raw[k] === undefined) continue;
        if (onUnknown && containsUnknown(raw[k])) onUnknown();
        props[k] = deserializeProperty(raw[k], keepUnknowns);
    }
    return props;
}

function containsUnknown(v: unknown): boolean {
    if (v === unknownValue) return true;
    if (typeof v !== "object" || v === null) return false;
    if (Array.isArray(v)) {
        for (const x of v) if (containsUnknown(x)) return true;
        return false;
    }
    for (const k in v) if (containsUnknown((v as Record<string, unknown>)[k])) return true;
    return false;
}

/**
 * The URN an alias of the resource `urn` stands for. An alias is a URN or a spec whose unset parts
 * (name, type, stack, project, parent) are the resource's own, as the engine fills them in.
 */
/**
 * The URN the engine gives a registration (pkg/resource/deploy/deployment.go, generateURN, v3.248.0):
 * its type qualified by the parent's whole type chain, the root stack not counted. The SDK's
 * MockMonitor.newUrn keeps only the parent's last type, which differs as soon as a component nests
 * inside another component. The engine-door specs name registrations with it too.
 */
export function engineUrn(stack: string, project: string, parent: string, type: string, name: string): string {
    const parentType = parent ? parent.split("::")[2] : "";
    const qualified = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

export function aliasUrn(alias: any, urn: string, parentUrn: string): string | undefined {
    if (alias.hasUrn?.() && alias.getUrn()) return alias.getUrn();
    const spec = alias.getSpec?.();
    if (!spec) return undefined;
    // urn:pulumi:<stack>::<project>::<parent types$type>::<name>
    const [head, ownProject, qualifiedType, ...nameParts] = urn.split("::");
    const ownStack = head.slice("urn:pulumi:".length);
    const ownName = nameParts.join("::");
    const ownType = qualifiedType.split("$").pop()!;
    const type = spec.getType() || ownType;
    const parent = spec.hasNoparent?.() && spec.getNoparent() ? "" : (spec.hasParenturn?.() && spec.getParenturn()) || parentUrn;
    return engineUrn(spec.getStack() || ownStack, spec.getProject() || ownProject, parent, type, spec.getName() || ownName);
}
