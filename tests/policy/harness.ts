import * as assert from "assert";
import { Policy, PolicyPackConfig, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { AnalyzedResource, PolicyOutcome, ReportedViolation, runResourcePolicy, runStackPolicy } from "../../policy/lib/invoke";
import { policySettingsOf } from "../../policy/lib/pack-config";
import { ENGINE_UNKNOWN } from "../../policy/lib/unknown";

/*
 * Runs one policy on fixtures the way the engine does: props behind the SDK's unknown-checking
 * proxy, an empty stackTags map, notApplicable that throws, getConfig() with the schema defaults
 * merged with the given settings, and for stacks dependencies and parents resolved to resources.
 */

/** Put this where a value is not known during preview (it is the engine's own sentinel). */
export const UNKNOWN_VALUE = ENGINE_UNKNOWN;

export interface Fixture {
    readonly type: string;
    readonly name?: string;
    readonly urn?: string;
    readonly props: Record<string, unknown>;
    readonly custom?: boolean;
    readonly provider?: { readonly type: string; readonly name?: string; readonly props: Record<string, unknown> };
    readonly parent?: string;
    readonly dependencies?: readonly string[];
}

export function urnOf(type: string, name: string, stack = "test"): string {
    return `urn:pulumi:${stack}::saleor::${type}::${name}`;
}

function nameOf(fixture: Fixture): string {
    return fixture.name ?? fixture.type.split(":").pop()!.toLowerCase();
}

/** The URN the fixture gets in a plan: explicit, or built from its type and name. */
export function urnFor(fixture: Fixture): string {
    return fixture.urn ?? urnOf(fixture.type, nameOf(fixture));
}

export function analyzed(fixture: Fixture): AnalyzedResource {
    const name = nameOf(fixture);
    const provider = fixture.provider && {
        type: fixture.provider.type,
        name: fixture.provider.name ?? "default",
        urn: urnOf(fixture.provider.type, fixture.provider.name ?? "default"),
        props: fixture.provider.props,
    };
    return {
        type: fixture.type,
        urn: urnFor(fixture),
        name,
        custom: fixture.custom ?? true,
        props: fixture.props,
        options: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
            ...(fixture.parent ? { parent: fixture.parent } : {}),
        },
        provider,
        parent: fixture.parent,
        dependencies: fixture.dependencies ?? [],
        propertyDependencies: {},
    };
}

function settingsFor(policy: Policy, settings?: Record<string, unknown>): Record<string, unknown> {
    const config: PolicyPackConfig | undefined = settings && { [policy.name]: settings };
    return policySettingsOf(policy, config);
}

export async function resourceOutcome(policy: Policy, fixture: Fixture, settings?: Record<string, unknown>): Promise<PolicyOutcome> {
    return runResourcePolicy(policy as ResourceValidationPolicy, analyzed(fixture), settingsFor(policy, settings));
}

/** The messages a resource policy reports for one fixture. */
export async function resourceViolations(policy: Policy, fixture: Fixture, settings?: Record<string, unknown>): Promise<string[]> {
    const outcome = await resourceOutcome(policy, fixture, settings);
    if (outcome.unknown) {
        throw new Error(`the rule read an unknown value without handling it: ${outcome.unknown}`);
    }
    return outcome.violations.map((v) => v.message);
}

export async function stackOutcome(
    policy: Policy,
    fixtures: readonly Fixture[],
    settings?: Record<string, unknown>,
): Promise<PolicyOutcome> {
    return runStackPolicy(policy as StackValidationPolicy, fixtures.map(analyzed), settingsFor(policy, settings));
}

/** The violations a stack policy reports for a set of fixtures. */
export async function stackViolations(
    policy: Policy,
    fixtures: readonly Fixture[],
    settings?: Record<string, unknown>,
): Promise<ReportedViolation[]> {
    const outcome = await stackOutcome(policy, fixtures, settings);
    if (outcome.unknown) {
        throw new Error(`the rule read an unknown value without handling it: ${outcome.unknown}`);
    }
    return outcome.violations;
}

/** Asserts the resource policy reports exactly one violation, whose message matches. */
export async function assertViolates(policy: Policy, fixture: Fixture, message: RegExp, settings?: Record<string, unknown>): Promise<void> {
    const messages = await resourceViolations(policy, fixture, settings);
    assert.strictEqual(messages.length, 1, `expected one violation of ${policy.name}, got ${JSON.stringify(messages)}`);
    assert.match(messages[0], message);
}

/** Asserts the resource policy accepts the fixture (or finds it not applicable). */
export async function assertPasses(policy: Policy, fixture: Fixture, settings?: Record<string, unknown>): Promise<void> {
    assert.deepStrictEqual(await resourceViolations(policy, fixture, settings), []);
}

/** An offline plan (the `npm run plan -- --json` contract) holding the fixtures, for checkPlan. */
export function planOf(stack: string, fixtures: readonly Fixture[]): { stack: string; steps: object[] } {
    const steps = fixtures.map((fixture) => {
        const resource = analyzed(fixture);
        const urn = resource.urn.replace("urn:pulumi:test::", `urn:pulumi:${stack}::`);
        return {
            op: "create",
            urn,
            newState: {
                type: resource.type,
                urn,
                custom: resource.custom,
                inputs: resource.props,
                dependencies: resource.dependencies.map((d) => d.replace("urn:pulumi:test::", `urn:pulumi:${stack}::`)),
                protect: false,
                retainOnDelete: false,
            },
        };
    });
    return { stack, steps };
}
