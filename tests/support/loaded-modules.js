"use strict";
// Preloaded (`node -r`) by specs that ask what a process loaded: on exit, the loaded module files as JSON on stderr, after "LOADED ".
process.on("exit", () => {
    const text = `LOADED ${JSON.stringify(Object.keys(require.cache))}\n`;
    require("fs").writeSync(2, text);
});
