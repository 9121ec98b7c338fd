import { setting } from "../lib/settings";
import { isKnown, known, knownList } from "../lib/unknown";
import { containersOf, workloadRule } from "./workload";

/** user:password@ (or :password@) right after a URL scheme: credentials inside a connection string. */
const credentialsInUrl = /[a-z][a-z0-9+.-]*:\/\/[^/\s@:]*:[^/\s@]+@/i;

export const noPlaintextSecretEnv = workloadRule({
    name: "kubernetes-workload-no-plaintext-secret-env",
    description:
        "Secret-looking environment variables (names with PASSWORD, SECRET, TOKEN, KEY, DSN, or URLs with user:password@) must come from a Secret through valueFrom, not a plain value in the pod spec.",
    enforcementLevel: "mandatory",
    category: "security",
    settings: {
        secretNamePattern: setting.string(
            "PASSWORD|PASSWD|SECRET|TOKEN|(^|_)(KEY|DSN)(_|$)",
            "Case-insensitive regular expression for env var names that hold secrets.",
        ),
        allowedNames: setting.strings([], "Env var names that match the pattern but hold no secret."),
    },
    validate: (workload, { config, report }) => {
        const secretName = new RegExp(config.secretNamePattern, "i");
        for (const ref of containersOf(workload)) {
            for (const env of knownList(() => ref.container.env).items) {
                const name = known(() => env.name);
                const value = known(() => env.value);
                // Unknown and secret values are opaque: never judged, never printed.
                if (!isKnown(name) || !isKnown(value) || typeof name !== "string" || typeof value !== "string" || value === "") {
                    continue;
                }
                if (config.allowedNames.includes(name)) {
                    continue;
                }
                const reason = secretName.test(name)
                    ? "a secret-looking name"
                    : credentialsInUrl.test(value)
                      ? "credentials in its URL"
                      : undefined;
                if (reason) {
                    report(
                        `${workload.label}: ${ref.label} sets ${name} (${reason}) as a plain value; put it in a Secret and use env[].valueFrom.secretKeyRef.`,
                    );
                }
            }
        }
    },
});
