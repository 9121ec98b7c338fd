import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { permissionsBoundaryArnOf } from "../../automation/plan/fake-cloud";
import { createRestoreTesting, type RestoreTestingArgs } from "../../components/data/aws/restore-testing";
import { registered, type Resources } from "./harness";

/**
 * What createRestoreTesting registers for `eu-central-1-data` in a stack called `stack`, under an
 * eu-central-1 provider: a writer, a media bucket and a backup role of the fake account, the
 * production boundary, and `extra` (e.g. `network`).
 */
export function registeredRestoreTesting(stack = "test", extra: Partial<RestoreTestingArgs> = {}): Promise<Resources> {
    return registered(() => {
        const provider = new aws.Provider("eu-central-1", { region: "eu-central-1" });
        const parent = new pulumi.ComponentResource("test:Parent", "parent", {}, { providers: [provider] });
        createRestoreTesting(
            "eu-central-1-data",
            {
                writerArn: "arn:aws:rds:eu-central-1:123456789012:db:w",
                mediaBucketArn: "arn:aws:s3:::m",
                roleArn: "arn:aws:iam::123456789012:role/b",
                permissionsBoundary: permissionsBoundaryArnOf("production"),
                ...extra,
            },
            parent,
        );
    }, stack);
}
