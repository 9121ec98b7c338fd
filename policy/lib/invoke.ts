import {
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { isUnknownValueError, unknownCheckingProxy } from "./unknown";

/**
 * A resource as the engine describes it to an analyzer: raw property values (unknown values are
 * the SDK's sentinels), options, provider, and the URNs of its parent and dependencies.
 */
export interface AnalyzedResource {
    readonly type: string;
    readonly urn: string;
    readonly name: string;
    readonly custom: boolean;
    readonly props: Record<string, unknown>;
    readonly options: PolicyResourceOptions;
    readonly provider?: { readonly type: string; readonly urn: string; readonly name: string; readonly props: Record<string, unknown> };
    readonly parent?: string;
    readonly dependencies: readonly string[];
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
}

/** Thrown by `notApplicable`, as the policy SDK's own server does. */
export class NotApplicableError extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "not applicable");
    }
}

function throwNotApplicable(reason?: string): never {
    // Control flow, thrown for most rules on most resources: nobody reads its stack, and capturing
    // one for each was a visible share of a plan's policy check (CPU profile).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let error: NotApplicableError;
    try {
        error = new NotApplicableError(reason);
    } finally {
        Error.stackTraceLimit = limit;
    }
    throw error;
}

/** The engine hands policies a frozen, empty tag map when the stack has no tags. */
export const NO_STACK_TAGS: ReadonlyMap<string, string> = new Map<string, string>();

/** The SDK marks `validateResourceOfType` functions and resource classes with the type token. */
function pulumiTypeOf(value: unknown): string | undefined {
    const type = (value as { __pulumiType?: unknown } | undefined)?.__pulumiType;
    return typeof type === "string" && type !== "" ? type : undefined;
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
    const token = pulumiTypeOf(resourceClass);
    if (token) {
        return type === token;
    }
    const isInstance = (resourceClass as { isInstance?: (o: unknown) => boolean }).isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

function providerOf(resource: AnalyzedResource): PolicyProviderResource | undefined {
    const provider = resource.provider;
    return provider && { type: provider.type, urn: provider.urn, name: provider.name, props: unknownCheckingProxy(provider.props) };
}

/** Arguments for `validateResource`, built the way @pulumi/policy's analyzer server builds them. */
export function resourceValidationArgs(resource: AnalyzedResource, settings: Record<string, unknown>): ResourceValidationArgs {
    const props = unknownCheckingProxy(resource.props);
    const args: ResourceValidationArgs = {
        type: resource.type,
        props,
        urn: resource.urn,
        name: resource.name,
        opts: resource.options,
        stackTags: NO_STACK_TAGS,
        isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
        asType: ((resourceClass: unknown) =>
            isTypeOf(resource.type, resourceClass) ? props : undefined) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => ({ ...settings }) as T,
        notApplicable: throwNotApplicable,
    };
    const provider = providerOf(resource);
    if (provider) {
        args.provider = provider;
    }
    return args;
}

/** Arguments for `validateStack`: every resource, with parent and dependencies resolved to resources. */
export function stackValidationArgs(resources: readonly AnalyzedResource[], settings: Record<string, unknown>): StackValidationArgs {
    const byUrn = new Map<string, PolicyResource>();
    const policyResources = resources.map((resource) => {
        const props = unknownCheckingProxy(resource.props);
        const policyResource: PolicyResource = {
            type: resource.type,
            props,
            urn: resource.urn,
            name: resource.name,
            opts: resource.options,
            dependencies: [],
            propertyDependencies: {},
            isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
            asType: ((resourceClass: unknown) => (isTypeOf(resource.type, resourceClass) ? props : undefined)) as PolicyResource["asType"],
        };
        const provider = providerOf(resource);
        if (provider) {
            policyResource.provider = provider;
        }
        byUrn.set(resource.urn, policyResource);
        return policyResource;
    });
    const resolve = (urns: readonly string[]) => urns.map((urn) => byUrn.get(urn)).filter((r): r is PolicyResource => r !== undefined);
    resources.forEach((resource, index) => {
        const policyResource = policyResources[index];
        const parent = resource.parent !== undefined ? byUrn.get(resource.parent) : undefined;
        if (parent) {
            policyResource.parent = parent;
        }
        policyResource.dependencies = resolve(resource.dependencies);
        for (const [property, urns] of Object.entries(resource.propertyDependencies)) {
            policyResource.propertyDependencies[property] = resolve(urns);
        }
    });
    return {
        resources: policyResources,
        stackTags: NO_STACK_TAGS,
        getConfig: <T extends object>() => ({ ...settings }) as T,
        notApplicable: throwNotApplicable,
    };
}

export interface ReportedViolation {
    readonly message: string;
    /** The resource the violation is about; empty for a violation of the stack as a whole. */
    readonly urn: string;
}

/** What one policy made of one resource, or of the stack. */
export interface PolicyOutcome {
    readonly violations: ReportedViolation[];
    /** Why the policy did not apply, when it said so. */
    notApplicable?: string;
    /** The engine's "can't run policy during preview" text, when a rule read an unknown value it did not handle. */
    unknown?: string;
}

function outcomeOf(error: unknown, outcome: PolicyOutcome, policyName: string): void {
    if (error instanceof NotApplicableError) {
        outcome.notApplicable = error.reason;
    } else if (isUnknownValueError(error)) {
        outcome.unknown = `can't run policy '${policyName}' during preview: ${(error as Error).message}`;
    } else {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`policy '${policyName}' failed: ${reason}`);
    }
}

export async function runResourcePolicy(
    policy: ResourceValidationPolicy,
    resource: AnalyzedResource,
    settings: Record<string, unknown>,
): Promise<PolicyOutcome> {
    const outcome: PolicyOutcome = { violations: [] };
    const validations =
        policy.validateResource === undefined
            ? []
            : Array.isArray(policy.validateResource)
              ? policy.validateResource
              : [policy.validateResource];
    // The engine skips a typed validation for other types without calling it.
    const token = validations.length === 1 ? pulumiTypeOf(validations[0]) : undefined;
    if (token && token !== resource.type) {
        outcome.notApplicable = `Policy only applies to resources of type '${token}'`;
        return outcome;
    }
    // Like the engine, the URN a resource validation passes is ignored: the violation is this resource's.
    const report: ReportViolation = (message) => outcome.violations.push({ message, urn: resource.urn });
    for (const validation of validations) {
        try {
            await validation(resourceValidationArgs(resource, settings), report);
        } catch (error) {
            outcomeOf(error, outcome, policy.name);
        }
    }
    return outcome;
}

export async function runStackPolicy(
    policy: StackValidationPolicy,
    resources: readonly AnalyzedResource[],
    settings: Record<string, unknown>,
): Promise<PolicyOutcome> {
    const outcome: PolicyOutcome = { violations: [] };
    const token = pulumiTypeOf(policy.validateStack);
    if (token && !resources.some((r) => r.type === token)) {
        outcome.notApplicable = `Policy only applies to resources of type '${token}'`;
        return outcome;
    }
    const report: ReportViolation = (message, urn) => outcome.violations.push({ message, urn: urn ?? "" });
    try {
        await policy.validateStack(stackValidationArgs(resources, settings), report);
    } catch (error) {
        outcomeOf(error, outcome, policy.name);
    }
    return outcome;
}
