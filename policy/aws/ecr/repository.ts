import { resourceRule } from "../../lib/define";
import { whenKnown } from "../../lib/unknown";
import { aws } from "../types";

const label = (name: string) => `ECR repository "${name}"`;

export const ecrScanOnPush = resourceRule({
    name: "aws-ecr-repository-scan-on-push",
    description: "ECR repositories must scan every pushed image for known vulnerabilities.",
    enforcementLevel: "mandatory",
    category: "security",
    type: aws.ecr.Repository,
    validate: (repository, { args, report }) => {
        whenKnown(
            () => repository.imageScanningConfiguration?.scanOnPush,
            (scan) => {
                if (scan !== true) {
                    report(`${label(args.name)} does not scan pushed images; set imageScanningConfiguration: { scanOnPush: true }.`);
                }
            },
        );
    },
});

const immutable = ["IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"];

export const ecrImmutableTags = resourceRule({
    name: "aws-ecr-repository-tags-immutable",
    description: "ECR repositories must make tags immutable so a released tag always names the same image.",
    enforcementLevel: "mandatory",
    category: "security",
    type: aws.ecr.Repository,
    validate: (repository, { args, report }) => {
        whenKnown(
            () => repository.imageTagMutability,
            (mutability) => {
                if (typeof mutability !== "string" || !immutable.includes(mutability)) {
                    report(`${label(args.name)} lets tags be overwritten; set imageTagMutability: "IMMUTABLE".`);
                }
            },
        );
    },
});
