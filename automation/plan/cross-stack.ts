/**
 * What one stack's config cannot see alone: the other stacks of the project that share its AWS
 * account and its deploy runner. The bootstrap's runner VPC (cluster.aws.deployRunner) is peered with
 * every region's VPC of every stack that names it, and its route tables send traffic to each by its
 * range, so those ranges must be disjoint across stacks as they are within one (config/load.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { validateStackConfig, type StackConfig } from "../../config";
import { cidrsOverlap } from "../../catalog/ipv4";
import { readStackFile } from "./stack-file";

/** The account of the stack's deploy role (`arn:aws:iam::<account>:role/...`). */
const accountOf = (roleArn: string): string | undefined => /^arn:[^:]+:iam::(\d{12}):/.exec(roleArn)?.[1];

/** One line per clash, as config problems read (`saleor:<key>: ...`); none when the stack names no deploy runner. */
export function crossStackProblems(projectDir: string, project: string, otherStacks: string[], cfg: StackConfig): string[] {
    if (cfg.cluster.flavour !== "aws" || !cfg.cluster.aws.deployRunner) return [];
    const runner = cfg.cluster.aws.deployRunner;
    const account = accountOf(cfg.cluster.aws.deployRoleArn);
    const problems: string[] = [];
    for (const other of otherStacks) {
        const file = path.join(projectDir, `Pulumi.${other}.yaml`);
        const theirs = otherConfig(file, project);
        if (!theirs || theirs.cluster.flavour !== "aws") continue;
        if (theirs.cluster.aws.deployRunner?.vpcId !== runner.vpcId || accountOf(theirs.cluster.aws.deployRoleArn) !== account) continue;
        cfg.regions.forEach((mine, i) =>
            theirs.regions.forEach((region, j) => {
                if (!mine.vpcCidr || !region.vpcCidr || !cidrsOverlap(mine.vpcCidr, region.vpcCidr)) return;
                problems.push(
                    `saleor:regions[${i}].vpcCidr: ${mine.vpcCidr} overlaps regions[${j}].vpcCidr ${region.vpcCidr} of stack ${other} (${path.basename(file)}); ` +
                        `both stacks are peered with the deploy runner's VPC ${runner.vpcId} in account ${account}, which routes to each by its range`,
                );
            }),
        );
    }
    return problems;
}

/** Another stack's validated config; undefined when it does not read or validate (its own plan says why). */
function otherConfig(file: string, project: string): StackConfig | undefined {
    if (!fs.existsSync(file)) return undefined;
    try {
        const validated = validateStackConfig(readStackFile(file, project).source);
        return "config" in validated ? validated.config : undefined;
    } catch {
        return undefined;
    }
}
