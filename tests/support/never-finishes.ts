import * as pulumi from "@pulumi/pulumi";
import { runUnderMocks } from "../../automation/plan/evaluate";

/**
 * A program one of whose resources waits on an Output that never resolves: run as a process by the
 * plan spec, which expects the evaluation to say so and fail rather than exit quietly.
 */
class Thing extends pulumi.CustomResource {
    constructor(name: string, args: Record<string, pulumi.Input<unknown>>) {
        super("test:index:Thing", name, args);
    }
}

runUnderMocks("project", "stack", () => {
    new Thing("ready", { size: 1 });
    new Thing("stuck", { size: pulumi.output(new Promise<number>(() => undefined)) });
    return {};
}).then(() => process.stdout.write("finished\n"));
