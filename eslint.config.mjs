// Lint for the whole project: ESLint's and typescript-eslint's recommended rules, with the few
// exceptions below, each for a reason of this project. Formatting is prettier's (.prettierrc.json),
// so no stylistic rule is enabled here.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/**", "policy/node_modules/**", "out/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            // Modules are loaded lazily on purpose: a stack on an existing cluster never loads
            // @pulumi/aws, and SDK internals are reached through their module paths.
            "@typescript-eslint/no-require-imports": "off",
            // `_`-prefixed names are deliberately unused (a rest destructuring that drops a key).
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
            // `{}` as a generic default means "no settings" in the policy rule builders.
            "@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "with-single-extends", allowObjectTypes: "always" }],
        },
    },
    {
        // These read payloads no type describes: the engine's resource properties (policy), the
        // SDK's internals and plan JSON (automation/plan), and whatever a spec pokes at (tests).
        files: ["policy/**/*.ts", "automation/plan/**/*.ts", "tests/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
    {
        files: ["**/*.js"],
        languageOptions: {
            sourceType: "commonjs",
            globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly", console: "readonly" },
        },
    },
);
