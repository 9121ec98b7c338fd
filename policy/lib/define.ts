import {
    EnforcementLevel,
    Policy,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import { Resource } from "@pulumi/pulumi";
import { configSchemaOf, readSettings, SettingsOf, SettingsSpec } from "./settings";

/**
 * A resource type known by its token alone. The pack does not depend on @pulumi/aws or
 * @pulumi/kubernetes (it judges any program), so instead of the SDK classes it hands
 * `validateResourceOfType` an object carrying the same `__pulumiType` the classes carry, which is
 * all the policy SDK and the engine's fast path look at.
 */
export interface ResourceType<TProps> {
    new (name: string, args: TProps, ...rest: any[]): Resource;
    readonly __pulumiType: string;
}

export function resourceType<TProps>(token: string): ResourceType<TProps> {
    return { __pulumiType: token } as unknown as ResourceType<TProps>;
}

/** What a rule protects, used for the rule table and the pack's tags. */
export type Category = "security" | "sizing" | "reliability";

export interface RuleInfo {
    readonly guards: readonly string[];
    readonly category: Category;
}

const ruleInfos = new WeakMap<Policy, RuleInfo>();

export function ruleInfo(policy: Policy): RuleInfo {
    const info = ruleInfos.get(policy);
    if (!info) {
        throw new Error(`policy ${policy.name} was not built with policy/lib/define.ts`);
    }
    return info;
}

export interface RuleSpec<S extends SettingsSpec> {
    /** kebab-case, states the rule. */
    readonly name: string;
    /** One sentence a reviewer can act on. */
    readonly description: string;
    /** Level when no stack config names the rule: the production level. */
    readonly enforcementLevel: Extract<EnforcementLevel, "advisory" | "mandatory">;
    readonly category: Category;
    /** Per-stack thresholds; fallbacks are the production values. */
    readonly settings?: S;
}

export interface RuleContext<S extends SettingsSpec> {
    readonly config: SettingsOf<S>;
    readonly report: ReportViolation;
}

function basePolicy<S extends SettingsSpec>(spec: RuleSpec<S>): Policy {
    const configSchema = configSchemaOf(spec.settings ?? {});
    return {
        name: spec.name,
        description: spec.description,
        enforcementLevel: spec.enforcementLevel,
        severity: spec.category === "security" ? "high" : "medium",
        tags: [spec.category],
        ...(configSchema ? { configSchema } : {}),
    };
}

function register<P extends Policy>(policy: P, info: RuleInfo): P {
    ruleInfos.set(policy, info);
    return policy;
}

/** A rule about one resource type, through the SDK's own `validateResourceOfType`. */
export function resourceRule<TProps, S extends SettingsSpec = {}>(
    spec: RuleSpec<S> & {
        readonly type: ResourceType<TProps>;
        readonly validate: (props: TProps, context: RuleContext<S> & { readonly args: ResourceValidationArgs }) => void;
    },
): ResourceValidationPolicy {
    const settings = spec.settings ?? ({} as S);
    const policy: ResourceValidationPolicy = {
        ...basePolicy(spec),
        validateResource: validateResourceOfType(spec.type, (props, args, report) =>
            spec.validate(props as unknown as TProps, { args, report, config: readSettings(() => args.getConfig(), settings) }),
        ),
    };
    return register(policy, { guards: [spec.type.__pulumiType], category: spec.category });
}

/** A rule that judges several resource types the same way (security-group rules, workloads). */
export function resourcesRule<S extends SettingsSpec = {}>(
    spec: RuleSpec<S> & {
        readonly types: readonly string[];
        readonly validate: (args: ResourceValidationArgs, context: RuleContext<S>) => void;
    },
): ResourceValidationPolicy {
    const settings = spec.settings ?? ({} as S);
    const policy: ResourceValidationPolicy = {
        ...basePolicy(spec),
        validateResource: (args, report) => {
            if (!spec.types.includes(args.type)) {
                args.notApplicable(`Policy only applies to resources of type ${spec.types.map((t) => `'${t}'`).join(", ")}`);
            }
            spec.validate(args, { report, config: readSettings(() => args.getConfig(), settings) });
        },
    };
    return register(policy, { guards: spec.types, category: spec.category });
}

/** A rule over the whole stack (relations between resources, totals, presence). */
export function stackRule<S extends SettingsSpec = {}>(
    spec: RuleSpec<S> & {
        readonly guards: readonly string[];
        readonly validate: (args: StackValidationArgs, context: RuleContext<S>) => void;
    },
): StackValidationPolicy {
    const settings = spec.settings ?? ({} as S);
    const policy: StackValidationPolicy = {
        ...basePolicy(spec),
        validateStack: (args, report) => spec.validate(args, { report, config: readSettings(() => args.getConfig(), settings) }),
    };
    return register(policy, { guards: spec.guards, category: spec.category });
}
