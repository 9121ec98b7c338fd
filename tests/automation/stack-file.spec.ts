import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readStackFile, securePlaceholder } from "../../automation/plan/stack-file";

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
});
