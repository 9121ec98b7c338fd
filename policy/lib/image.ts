/** A container image reference split the way the container runtime resolves it. */
export interface ImageReference {
    /** Registry host; Docker Hub is "docker.io". */
    readonly registry: string;
    /** Repository path; Docker Hub official images get "library/". */
    readonly repository: string;
    readonly tag?: string;
    readonly digest?: string;
    /** registry/repository[:tag][@digest]: what registry allow-lists are matched against. */
    readonly normalized: string;
}

export function parseImage(reference: string): ImageReference {
    let rest = reference.trim();
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
    }
    let tag: string | undefined;
    const lastSlash = rest.lastIndexOf("/");
    const lastColon = rest.lastIndexOf(":");
    // A colon before the last slash is a registry port (localhost:5000/app), not a tag.
    if (lastColon > lastSlash) {
        tag = rest.slice(lastColon + 1);
        rest = rest.slice(0, lastColon);
    }
    const segments = rest.split("/");
    const first = segments[0];
    const hasRegistry = segments.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost");
    const registry = hasRegistry ? first : "docker.io";
    let repository = hasRegistry ? segments.slice(1).join("/") : rest;
    if (registry === "docker.io" && !repository.includes("/")) {
        repository = `library/${repository}`;
    }
    const normalized = `${registry}/${repository}${tag !== undefined ? `:${tag}` : ""}${digest !== undefined ? `@${digest}` : ""}`;
    return { registry, repository, tag, digest, normalized };
}
