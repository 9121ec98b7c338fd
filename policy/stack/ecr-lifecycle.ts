import { aws } from "../aws/types";
import { companionRule } from "./companion";

export const ecrLifecyclePolicyAttached = companionRule({
    name: "aws-ecr-repository-lifecycle-policy-attached",
    description:
        "Every ECR repository must have an aws.ecr.LifecyclePolicy that expires old images, so storage (and scan findings) do not grow without bound.",
    enforcementLevel: "mandatory",
    category: "reliability",
    subject: aws.ecr.Repository,
    subjectNameInput: "name",
    companion: aws.ecr.LifecyclePolicy,
    linkInput: "repository",
    missing: (repository) =>
        `ECR repository "${repository.name}" keeps every image forever; add an aws.ecr.LifecyclePolicy for it (e.g. expire untagged images after 14 days, keep the last 50 tagged ones).`,
});
