import { globPrefixMatches } from "../lib/glob";
import { parseImage } from "../lib/image";
import { setting } from "../lib/settings";
import { imagesOf, workloadRule } from "./workload";

export const imagePinned = workloadRule({
    name: "kubernetes-workload-image-pinned",
    description:
        "Container images must name a version tag or a digest, never `latest` or no tag, so a rollout always runs the image that was reviewed.",
    enforcementLevel: "mandatory",
    category: "security",
    validate: (workload, { report }) => {
        for (const { ref, image } of imagesOf(workload)) {
            const parsed = parseImage(image);
            if (parsed.digest === undefined && (parsed.tag === undefined || parsed.tag === "latest")) {
                const problem = parsed.tag === undefined ? "has no tag" : "uses the latest tag";
                report(
                    `${workload.label}: ${ref.label} image ${image} ${problem}; pin a version tag (e.g. ${parsed.registry}/${parsed.repository}:1.2.3) or a digest.`,
                );
            }
        }
    },
});

export const imageRegistryAllowed = workloadRule({
    name: "kubernetes-workload-image-registry-allowed",
    description:
        "Container images must come from the stack's allowed registries, matched as prefixes of the fully qualified reference (docker.io/library/postgres:15).",
    enforcementLevel: "mandatory",
    category: "security",
    settings: {
        allowedRegistries: setting.strings(
            [
                "ghcr.io/saleor/",
                "*.dkr.ecr.eu-central-1.amazonaws.com/",
                "*.dkr.ecr.eu-west-1.amazonaws.com/",
                // CloudNativePG's PgBouncer build, the one image of the stacks not Saleor's or the stack's own.
                "ghcr.io/cloudnative-pg/pgbouncer:",
            ],
            "Prefixes of fully qualified image references (registry/repository:tag) a workload may run; `*` stands for one path segment's characters, e.g. an AWS account id.",
        ),
    },
    validate: (workload, { config, report }) => {
        for (const { ref, image } of imagesOf(workload)) {
            const { normalized } = parseImage(image);
            if (!config.allowedRegistries.some((prefix) => globPrefixMatches(normalized, prefix))) {
                report(
                    `${workload.label}: ${ref.label} image ${normalized} is not from an allowed registry (${config.allowedRegistries.join(", ")}); mirror it into an allowed registry or add its prefix to allowedRegistries.`,
                );
            }
        }
    },
});
