import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CORE_SCHEMA, load } from "js-yaml";
import { readStackFile, securePlaceholder } from "../../automation/plan/stack-file";
import { goJson } from "../support/engine";

/** The offline plan reads Pulumi.<stack>.yaml as the engine hands stack config to the program. */
describe("stack file reader", () => {
    const read = (text: string) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "saleor-stack-file-"));
        try {
            const file = path.join(dir, "Pulumi.test.yaml");
            fs.writeFileSync(file, text);
            return readStackFile(file, "saleor");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    };

    it("passes strings as written, objects and lists as JSON, and keeps secure values secret and unread", () => {
        const c = read(
            [
                "config:",
                "  saleor:environment: staging",
                "  saleor:regions:",
                "    - name: eu-central-1",
                "      role: primary",
                "  saleor:sentryDsn:",
                "    secure: v1:AAAA",
                "  aws:region: eu-central-1",
                "",
            ].join("\n"),
        );
        assert.equal(c.values["saleor:environment"], "staging");
        assert.equal(c.values["saleor:regions"], JSON.stringify([{ name: "eu-central-1", role: "primary" }]));
        assert.equal(c.values["saleor:sentryDsn"], securePlaceholder);
        assert.deepEqual(c.secretKeys, ["saleor:sentryDsn"]);
        assert.ok(c.source.isSecret("sentryDsn"));
        assert.deepEqual(c.source.keys().sort(), ["environment", "regions", "sentryDsn"], "other namespaces are not the program's");
    });

    it("keeps a value that looks like a date or a version the string the engine passes", () => {
        const c = read("config:\n  saleor:maintenanceDay: 2026-11-23\n  saleor:release: 3.21.4\n  saleor:flag: yes\n");
        assert.equal(c.values["saleor:maintenanceDay"], "2026-11-23");
        assert.equal(c.values["saleor:release"], "3.21.4");
        assert.equal(c.values["saleor:flag"], "yes", "YAML 1.2: yes is a string, not a boolean");
    });

    it("passes objects as the engine encodes them: keys sorted at every level, HTML characters escaped", () => {
        // The engine hands the program Go's json.Marshal of the value (pulumi/pulumi v3.248.0,
        // sdk/go/common/resource/config/object.go MarshalString): map keys sorted, whatever the file's order.
        const c = read(
            [
                "config:",
                "  saleor:regions:",
                "    - name: eu-west-1",
                "      role: secondary",
                "      hosts:",
                "        storefronts:",
                "          nl: nl.example.com",
                "          be: be.example.com",
                "        api: api.nl.example.com",
                "  saleor:note:",
                "    text: <b> & </b>",
                "",
            ].join("\n"),
        );
        assert.equal(
            c.values["saleor:regions"],
            '[{"hosts":{"api":"api.nl.example.com","storefronts":{"be":"be.example.com","nl":"nl.example.com"}},"name":"eu-west-1","role":"secondary"}]',
        );
        assert.equal(c.values["saleor:note"], '{"text":"\\u003cb\\u003e \\u0026 \\u003c/b\\u003e"}');
        const sorted = JSON.parse(c.values["saleor:regions"])[0].hosts.storefronts;
        assert.deepEqual(Object.keys(sorted), ["be", "nl"], "a program iterating the object sees the engine's order");
    });

    it("encodes every project stack file as the engine would", () => {
        const root = path.resolve(__dirname, "..", "..");
        for (const file of fs.readdirSync(root).filter((f) => /^Pulumi\..+\.yaml$/.test(f))) {
            const doc = load(fs.readFileSync(path.join(root, file), "utf8"), { schema: CORE_SCHEMA }) as {
                config: Record<string, unknown>;
            };
            const c = readStackFile(path.join(root, file), "saleor");
            for (const [key, value] of Object.entries(doc.config)) {
                assert.equal(c.values[key], typeof value === "string" ? value : goJson(value), `${file} ${key}`);
            }
        }
    });
});
