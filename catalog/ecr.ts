/**
 * ECR facts as plain data, free of SDK imports: the main program's repositories and the bootstrap's
 * repository creation templates (which shape the repositories ECR creates by replication) read the
 * same naming and the same lifecycle, so a replica keeps what its source keeps.
 */

/** Tagged images kept per repository unless told otherwise, newest first. */
export const defaultKeptReleases = 50;

/**
 * The repository of `stack` named `repositoryName`: `<stack>/<repositoryName>`, e.g.
 * `staging/saleor-core`. One prefix per stack is what the registry-wide replication rules and the
 * creation templates (both account singletons, owned by the bootstrap) select on.
 */
export function stackRepositoryName(stack: string, repositoryName: string): string {
    return `${stack}/${repositoryName}`;
}

/**
 * The replication filter of `stack`'s repositories. PREFIX_MATCH is a plain string prefix; whether
 * ECR adds an implicit `/` as it does for creation templates is unverified (research §3(e)), so the
 * `/` is part of the filter: `staging/` never matches a repository `staging-tools`.
 */
export function replicationPrefix(stack: string): string {
    return `${stack}/`;
}

/**
 * The creation-template prefix of `stack`'s repositories. ECR appends the `/` itself: "There is
 * always an assumed / applied to the end of the prefix" (CreateRepositoryCreationTemplate API
 * reference, docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepositoryCreationTemplate.html).
 */
export function creationTemplatePrefix(stack: string): string {
    return stack;
}

/**
 * The lifecycle policy (JSON) of every repository: untagged layers (failed or superseded builds)
 * expire after a week; the newest `keep` tagged images stay. Keep `keep` above the releases you may
 * roll back to.
 */
export function lifecyclePolicy(keep: number = defaultKeptReleases): string {
    return JSON.stringify({
        rules: [
            {
                rulePriority: 1,
                description: "Expire untagged images after 7 days",
                selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 },
                action: { type: "expire" },
            },
            {
                rulePriority: 2,
                description: `Keep the newest ${keep} tagged images`,
                selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: keep },
                action: { type: "expire" },
            },
        ],
    });
}
