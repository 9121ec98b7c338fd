import { bootstrapAccount } from "./account";
import { loadBootstrapConfig } from "./config";

/**
 * The bootstrap program, one stack per AWS account: load the config (failing with every problem,
 * naming each key, before any resource exists), build the account's shared resources and export
 * what the stacks and the workflows need (account.ts).
 */
export = bootstrapAccount(loadBootstrapConfig());
