import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./config";
import { buildStack } from "./stack";

/**
 * The program: load the stack's config (failing with every problem, naming each key, before any
 * resource exists), then build the stack (stack/) and export its outputs (stack/outputs.ts).
 */
async function main() {
    return buildStack(loadStackConfig(), pulumi.getStack());
}

export = main;
