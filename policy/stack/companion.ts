import { PolicyResource } from "@pulumi/policy";
import { RuleSpec, ResourceType, stackRule } from "../lib/define";
import { isKnown, known, Maybe } from "../lib/unknown";

/**
 * A rule of the shape "every <subject> has a <companion> that configures it", e.g. every S3 bucket
 * has a BucketPublicAccessBlock, every ECR repository a LifecyclePolicy. AWS provider 5+ moved
 * these settings out of the bucket/repository into separate resources, so a missing companion
 * means the setting is simply absent.
 */
export interface CompanionSpec<TCompanion> extends RuleSpec<{}> {
    readonly subject: ResourceType<any>;
    /** The subject's input that names it (bucket: "bucket", repository: "name"). */
    readonly subjectNameInput: string;
    readonly companion: ResourceType<TCompanion>;
    /** The companion's input that points at the subject ("bucket", "repository"). */
    readonly linkInput: string;
    /** Message for a subject without any companion. */
    readonly missing: (subject: PolicyResource) => string;
    /** A problem with a companion's settings, or undefined when it is fine (unknown values: undefined). */
    readonly check?: (companion: TCompanion, resource: PolicyResource) => string | undefined;
}

/** Linked when the companion waits for the subject, or names it by a known, equal value. */
function linkState(subject: PolicyResource, companion: PolicyResource, spec: CompanionSpec<unknown>): Maybe<boolean> {
    if (companion.dependencies.some((dependency) => dependency.urn === subject.urn)) {
        return true;
    }
    const link = known(() => companion.props[spec.linkInput]);
    const name = known(() => subject.props[spec.subjectNameInput]);
    if (!isKnown(link)) {
        return link;
    }
    return typeof link === "string" && isKnown(name) && link === name;
}

export function companionRule<TCompanion>(spec: CompanionSpec<TCompanion>) {
    const subjectType = spec.subject.__pulumiType;
    const companionType = spec.companion.__pulumiType;
    return stackRule({
        ...spec,
        guards: [subjectType, companionType],
        validate: (args, { report }) => {
            const subjects = args.resources.filter((r) => r.type === subjectType);
            if (subjects.length === 0) {
                args.notApplicable(`the stack has no ${subjectType} resources`);
            }
            const companions = args.resources.filter((r) => r.type === companionType);
            for (const subject of subjects) {
                const states = companions.map((companion) => ({
                    companion,
                    linked: linkState(subject, companion, spec as CompanionSpec<unknown>),
                }));
                const linked = states.filter((s) => s.linked === true).map((s) => s.companion);
                if (linked.length === 0) {
                    // A companion whose target is not known yet may be this subject's: no verdict.
                    if (!states.some((s) => !isKnown(s.linked))) {
                        report(spec.missing(subject), subject.urn);
                    }
                    continue;
                }
                for (const companion of linked) {
                    const problem = spec.check?.(companion.props as TCompanion, companion);
                    if (problem) {
                        report(problem, companion.urn);
                    }
                }
            }
        },
    });
}
