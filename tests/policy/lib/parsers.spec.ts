import * as assert from "assert";
import { globMatches, globPrefixMatches } from "../../../policy/lib/glob";
import { parseImage } from "../../../policy/lib/image";
import { schemaProblems } from "../../../policy/lib/json-schema";
import { parseQuantity } from "../../../policy/lib/quantity";
import { longestIntervalHours } from "../../../policy/lib/schedule";
import { vcpusOf } from "../../../policy/aws/eks/instance-vcpus";

describe("Kubernetes quantities", () => {
    const cases: [string | number, number][] = [
        ["500m", 0.5],
        ["1", 1],
        ["2", 2],
        [1.5, 1.5],
        ["0.25", 0.25],
        ["2Gi", 2 * 2 ** 30],
        ["512Mi", 512 * 2 ** 20],
        ["1G", 1e9],
        ["128974848", 128974848],
        ["129e6", 129e6],
        ["100k", 1e5],
    ];
    for (const [quantity, value] of cases) {
        it(`${JSON.stringify(quantity)} is ${value}`, () => assert.strictEqual(parseQuantity(quantity), value));
    }
    it("2048Mi and 2Gi are the same amount", () => assert.strictEqual(parseQuantity("2048Mi"), parseQuantity("2Gi")));
    for (const invalid of ["", "two", "1.5.2", "Gi", "1gi", "1 Gi"]) {
        it(`${JSON.stringify(invalid)} is not a quantity`, () => assert.strictEqual(parseQuantity(invalid), undefined));
    }
});

describe("image references", () => {
    it("Docker Hub official images get docker.io/library/", () =>
        assert.deepStrictEqual(parseImage("postgres:15.12-alpine"), {
            registry: "docker.io",
            repository: "library/postgres",
            tag: "15.12-alpine",
            digest: undefined,
            normalized: "docker.io/library/postgres:15.12-alpine",
        }));
    it("Docker Hub user images get docker.io/", () =>
        assert.strictEqual(parseImage("valkey/valkey:8.1-alpine").normalized, "docker.io/valkey/valkey:8.1-alpine"));
    it("a registry host keeps its name", () => assert.strictEqual(parseImage("ghcr.io/saleor/saleor:3.23.5").registry, "ghcr.io"));
    it("a registry port is not a tag", () =>
        assert.deepStrictEqual(
            [parseImage("localhost:5000/app").tag, parseImage("localhost:5000/app").registry],
            [undefined, "localhost:5000"],
        ));
    it("a digest is split off", () => assert.strictEqual(parseImage("ghcr.io/saleor/saleor@sha256:abc").digest, "sha256:abc"));
});

describe("glob patterns", () => {
    it("* matches within one segment", () => assert.ok(globMatches("m7i.2xlarge", "m7i.*")));
    it("a pattern must match the whole value", () => assert.ok(!globMatches("m7i.2xlarge", "m7i")));
    it("an ECR prefix matches any account id", () =>
        assert.ok(globPrefixMatches("123456789012.dkr.ecr.eu-west-1.amazonaws.com/saleor:1", "*.dkr.ecr.eu-west-1.amazonaws.com/")));
    it("* does not cross a slash", () =>
        assert.ok(!globPrefixMatches("evil.com/x.dkr.ecr.eu-west-1.amazonaws.com/saleor:1", "*.dkr.ecr.eu-west-1.amazonaws.com/")));
});

describe("backup schedules", () => {
    const cases: [string, number | undefined][] = [
        ["cron(0 */6 * * ? *)", 6],
        ["cron(0 0,6,12,18 * * ? *)", 6],
        ["cron(0 1,13 * * ? *)", 12],
        ["cron(0 3 * * ? *)", 24],
        ["cron(0 0-12/4 * * ? *)", 12],
        ["cron(0 * * * ? *)", 1],
        ["cron(0 3 ? * MON-FRI *)", 24],
        ["rate(6 hours)", 6],
        ["rate(1 day)", 24],
        ["rate(30 minutes)", 0.5],
        ["every six hours", undefined],
        ["cron(0 25 * * ? *)", undefined],
    ];
    for (const [expression, hours] of cases) {
        it(`${expression} leaves at most ${String(hours)} hours between runs`, () =>
            assert.strictEqual(longestIntervalHours(expression), hours));
    }
});

describe("instance vCPUs", () => {
    it("sizes map to vCPUs across families", () =>
        assert.deepStrictEqual(["m7i.xlarge", "m7i.2xlarge", "c6i.4xlarge", "r7i.large", "m7g.medium"].map(vcpusOf), [4, 8, 16, 2, 1]));
    it("burstable types have at least 2 vCPUs", () =>
        assert.deepStrictEqual(["t3.micro", "t3.medium", "t3.xlarge"].map(vcpusOf), [2, 2, 4]));
    it("unknown families and metal sizes are not guessed", () =>
        assert.deepStrictEqual(["x2idn.large", "m7i.metal-24xl", "m7i.medium"].map(vcpusOf), [undefined, undefined, undefined]));
});

describe("policy config schema checks", () => {
    it("a wrong type names the path", () =>
        assert.deepStrictEqual(schemaProblems("30", { type: "integer" }, "p.minDays"), ["p.minDays: expected integer, got string"]));
    it("a quantity pattern is enforced inside objects", () =>
        assert.deepStrictEqual(
            schemaProblems(
                { cpu: "two" },
                { type: "object", properties: { cpu: { type: "string", pattern: "^[0-9]+m?$" } } },
                "p.maxLimits",
            ),
            ['p.maxLimits.cpu: "two" does not match ^[0-9]+m?$'],
        ));
    it("additionalProperties: false rejects unknown keys", () =>
        assert.deepStrictEqual(
            schemaProblems({ cpus: "1" }, { type: "object", properties: { cpu: { type: "string" } }, additionalProperties: false }, "p"),
            ["p.cpus: is not allowed"],
        ));
    it("a value below the minimum is reported", () =>
        assert.deepStrictEqual(schemaProblems(-1, { type: "integer", minimum: 0 }, "p"), ["p: must be at least 0, got -1"]));
});
