import { strict as assert } from "node:assert";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

// The storefront image's shared page cache, run as the image runs it: the Dockerfile's own steps
// (its handler files, its next.config.js wrapper) applied to a small Next.js app that caches as
// the storefront does ("use cache", a tag, the `catalog` tier, revalidateTag from a route), built
// with the storefront's Next.js version, then served by separate servers ("pods", each with its
// own build directory) against one real Redis server standing in for the region's Valkey.

const root = path.join(__dirname, "..", "..");
const dockerfile = fs.readFileSync(path.join(root, "images", "storefront", "Dockerfile"), "utf8");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { devDependencies: Record<string, string> };

type Step = { kind: "heredoc"; file: string; content: string } | { kind: "run"; command: string };

/** The builder stage's instructions from `COPY . .` to the build, heredocs kept whole. */
function builderSteps(): Step[] {
    const start = dockerfile.indexOf("\nCOPY . .\n");
    const end = dockerfile.indexOf("\nRUN NEXT_OUTPUT=standalone pnpm build");
    assert.ok(start > 0 && end > start, "the builder stage copies the checkout, then builds");
    const lines = dockerfile.slice(start + 1, end).split("\n");
    const steps: Step[] = [];
    for (let i = 0; i < lines.length; i++) {
        const heredoc = /^COPY <<'EOF' (\S+)$/.exec(lines[i]);
        if (heredoc) {
            const close = lines.indexOf("EOF", i + 1);
            assert.ok(close > i, `the here-document for ${heredoc[1]} ends`);
            steps.push({ kind: "heredoc", file: heredoc[1], content: lines.slice(i + 1, close).join("\n") + "\n" });
            i = close;
        } else if (lines[i].startsWith("RUN ")) {
            let command = lines[i].slice(4);
            while (command.endsWith("\\")) command = command.slice(0, -1) + lines[++i];
            steps.push({ kind: "run", command });
        }
    }
    return steps;
}

/** Applies the Dockerfile's cache steps to `dir` as Docker would; the API wait is not part of them. */
function applyCacheSteps(dir: string): void {
    for (const step of builderSteps()) {
        if (step.kind === "heredoc") {
            fs.writeFileSync(path.join(dir, step.file), step.content);
        } else if (/^mv \S+ \S+$/.test(step.command)) {
            const [, from, to] = step.command.split(" ");
            fs.renameSync(path.join(dir, from), path.join(dir, to));
        } else if (step.command.startsWith("pnpm add ")) {
            // The project's own copies are the ones the spec runs: the same pins.
            for (const spec of step.command.split(" ").filter((w) => /^@?[^-].*@\d/.test(w))) {
                const at = spec.lastIndexOf("@");
                assert.equal(
                    pkg.devDependencies[spec.slice(0, at)],
                    spec.slice(at + 1),
                    `package.json pins ${spec} as the Dockerfile does`,
                );
            }
        }
    }
}

const redisServer = "redis-server";

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const { port } = s.address() as net.AddressInfo;
            s.close(() => resolve(port));
        });
    });
}

async function waitFor<T>(what: string, attempt: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
        const value = await attempt().catch(() => undefined);
        if (value !== undefined) return value;
        if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 200));
    }
}

interface Pod {
    readonly name: string;
    readonly url: string;
    readonly process: ChildProcess;
    output: string;
}

describe("the storefront image's shared page cache (Next.js 16 against a real Redis server)", function () {
    this.timeout(180_000);
    let work: string;
    let redis: ChildProcess;
    let redisPort: number;
    const pods: Pod[] = [];

    /** A pod: its own copy of the build (with another BUILD_ID: another release), started with `next start`. */
    async function startPod(name: string, buildId?: string): Promise<Pod> {
        const dir = path.join(work, name);
        fs.cpSync(path.join(work, "build"), dir, { recursive: true, verbatimSymlinks: true });
        if (buildId) fs.writeFileSync(path.join(dir, ".next", "BUILD_ID"), buildId);
        const port = await freePort();
        const child = spawn(
            process.execPath,
            [path.join(root, "node_modules", "next", "dist", "bin", "next"), "start", "-p", String(port)],
            {
                cwd: dir,
                env: {
                    PATH: process.env.PATH ?? "",
                    NEXT_TELEMETRY_DISABLED: "1",
                    POD_NAME: name,
                    STOREFRONT_CACHE_URL: `redis://127.0.0.1:${redisPort}/2`,
                },
            },
        );
        const pod: Pod = { name, url: `http://127.0.0.1:${port}`, process: child, output: "" };
        child.stdout!.on("data", (d) => (pod.output += d));
        child.stderr!.on("data", (d) => (pod.output += d));
        pods.push(pod);
        await waitFor(`${name} to answer`, async () =>
            (await fetch(`${pod.url}/api/revalidate`, { method: "GET" })).status ? true : undefined,
        );
        return pod;
    }

    /** The stamp a pod's page shows (the home page's catalog read by default): `<pod that rendered it>@<time>`. */
    async function stamp(pod: Pod, page = "/"): Promise<string> {
        const html = await (await fetch(`${pod.url}${page}`)).text();
        const m = /id="stamp">\[(?:<!-- -->)?([^<]+)(?:<!-- -->)?\]/.exec(html);
        assert.ok(m, `${pod.name}'s page shows a stamp:\n${html.slice(0, 500)}\n${pod.output}`);
        return m[1];
    }

    before(async function () {
        const found = spawnSync(redisServer, ["--version"], { encoding: "utf8" });
        assert.equal(found.status, 0, `${redisServer} must be installed (Debian: apt-get install redis-server; .ci/run installs it)`);
        work = fs.mkdtempSync(path.join(os.tmpdir(), "storefront-cache-"));
        const build = path.join(work, "build");
        fs.cpSync(path.join(root, "tests", "fixtures", "next-cache"), build, { recursive: true });
        fs.symlinkSync(path.join(root, "node_modules"), path.join(build, "node_modules"));
        applyCacheSteps(build);
        const built = spawnSync(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], {
            cwd: build,
            encoding: "utf8",
            env: { PATH: process.env.PATH ?? "", NEXT_TELEMETRY_DISABLED: "1" },
        });
        assert.equal(built.status, 0, `next build failed:\n${built.stdout}\n${built.stderr}`);

        redisPort = await freePort();
        // The flags the stack gives Valkey for the handlers: expiry and eviction events.
        redis = spawn(redisServer, [
            "--port",
            String(redisPort),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--notify-keyspace-events",
            "Exe",
        ]);
        await waitFor("the Redis server", async () => {
            const s = net.connect(redisPort, "127.0.0.1");
            return await new Promise<boolean | undefined>((resolve) => {
                s.once("connect", () => (s.destroy(), resolve(true)));
                s.once("error", () => resolve(undefined));
            });
        });
    });

    after(function () {
        for (const pod of pods) pod.process.kill();
        redis?.kill();
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("serves what one pod rendered from every pod, and a revalidation taken by one pod reaches the others", async function () {
        const a = await startPod("a");
        const b = await startPod("b");
        const first = await stamp(a);
        assert.match(first, /^a@/);
        // Without the shared cache b renders its own ("b@…"): each server has its own memory.
        assert.equal(await stamp(b), first, "b serves the entry a rendered");

        // The storefront's webhook route calls revalidateTag(tag, profile) on whichever pod takes it.
        const res = await fetch(`${a.url}/api/revalidate`, { method: "POST" });
        assert.equal(res.status, 200);
        // The `catalog` tier revalidates stale-while-revalidate: b may answer once with the stale
        // entry while it renders a new one, never for longer.
        const fresh = await waitFor("b to serve a fresh entry", async () => {
            const s = await stamp(b);
            return s !== first ? s : undefined;
        });
        assert.notEqual(fresh, first);
        assert.equal(await stamp(a), await stamp(b), "after the revalidation both pods serve the same, new entry");
    });

    it("serves a page one pod regenerated after revalidatePath from every pod", async function () {
        const a = pods.find((p) => p.name === "a") ?? (await startPod("a"));
        const b = pods.find((p) => p.name === "b") ?? (await startPod("b"));
        // Rendered at build: the same on both until a revalidation.
        assert.equal(await stamp(a, "/static"), await stamp(b, "/static"));
        const res = await fetch(`${a.url}/api/revalidate-path`, { method: "POST" });
        assert.equal(res.status, 200);
        // The next visit, on b, renders the page again...
        const regenerated = await waitFor("b to regenerate /static", async () => {
            const s = await stamp(b, "/static");
            return s.startsWith("b@") ? s : undefined;
        });
        // ...and a, which took the revalidation, serves b's page rather than one of its own.
        assert.equal(await stamp(a, "/static"), regenerated, "a serves the page b regenerated");
    });

    it("keeps each release's entries apart, so a canary never serves pages the stable release rendered", async function () {
        const stable = pods.find((p) => p.name === "a") ?? (await startPod("a"));
        const served = await stamp(stable);
        // The same app built again differs in its BUILD_ID, which keys its entries.
        const canary = await startPod("canary", "canary-build");
        const own = await stamp(canary);
        assert.match(own, /^canary@/, `the canary renders its own entry rather than serving ${served}`);
        assert.equal(await stamp(stable), served, "the stable release keeps serving its own");
    });
});

describe("the storefront image's cache settings", function () {
    const settings = builderSteps().find(
        (s): s is Extract<Step, { kind: "heredoc" }> => s.kind === "heredoc" && s.file === "cache-settings.cjs",
    );
    let cacheOptions: (env: Record<string, string | undefined>) => { redisUrl?: string; database?: number };
    before(function () {
        assert.ok(settings, "the Dockerfile writes cache-settings.cjs");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "storefront-cache-settings-"));
        fs.writeFileSync(path.join(dir, "cache-settings.cjs"), settings.content);
        cacheOptions = require(path.join(dir, "cache-settings.cjs")).cacheOptions;
    });

    it("takes the database from the URL's path, as the handlers subscribe to that database's events", function () {
        assert.deepEqual(cacheOptions({ STOREFRONT_CACHE_URL: "rediss://:token@cache.example:6379/2" }), {
            redisUrl: "rediss://:token@cache.example:6379/2",
            database: 2,
        });
    });

    it("refuses a URL without a database, naming the variable and never repeating its password", function () {
        assert.throws(
            () => cacheOptions({ STOREFRONT_CACHE_URL: "redis://:s3cret@valkey:6379" }),
            (e: Error) => /STOREFRONT_CACHE_URL names no database/.test(e.message) && !e.message.includes("s3cret"),
        );
        assert.throws(
            () => cacheOptions({ STOREFRONT_CACHE_URL: "https://:s3cret@valkey/2" }),
            (e: Error) => /STOREFRONT_CACHE_URL has the scheme https:/.test(e.message) && !e.message.includes("s3cret"),
        );
    });

    it("names the missing variable when a server starts without it, but lets `next build` load the handlers", function () {
        assert.throws(() => cacheOptions({}), /STOREFRONT_CACHE_URL is not set/);
        assert.deepEqual(cacheOptions({ NEXT_PHASE: "phase-production-build" }), {});
    });
});
