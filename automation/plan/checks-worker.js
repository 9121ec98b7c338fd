"use strict";
/**
 * The entry of the plan's checks thread (plan/checks.ts). A worker thread does not run `node -r`
 * (nor mocha's `--require`), so it installs the TypeScript loader itself before the checks.
 */
require("../register.js");
require("./checks-thread.ts");
