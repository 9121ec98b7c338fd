import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runUnderMocks } from "../../automation/plan/evaluate";
import { contentTag } from "../../stack/content-tag";
import { Resources } from "../support/harness";
import { evaluated } from "../support/plans";

/**
 * ECR repositories are IMMUTABLE: a pushed tag can never be pushed again. Tags therefore name what
 * an image holds, so a change gets a new tag and an unchanged build keeps its own.
 */

const IMAGE = "docker:index/image:Image";

/** Scratch directories this spec made, removed after it. */
const scratch: string[] = [];
after(() => {
    for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

/** A copy of images/core in a scratch directory, to change files in. */
function coreContextCopy(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "core-context-"));
    scratch.push(dir);
    fs.copyFileSync(path.join("images", "core", "Dockerfile"), path.join(dir, "Dockerfile"));
    return dir;
}

async function tagOf(context: string, args: Record<string, string> = { SALEOR_VERSION: "3.23.5" }): Promise<string> {
    let tag = "";
    await runUnderMocks("saleor", "test", () => contentTag({ context, args, prefix: "3.23.5" }).apply((t) => (tag = t)));
    return tag;
}

const imageName = (res: Resources, name: string) => String((res.one(IMAGE, name).inputs as Record<string, unknown>).imageName);
const coreImageOf = (res: Resources, region: string) =>
    (res.workload(`${region}-core-api`).inputs as any).spec.template.spec.containers[0].image as string;

describe("image tags name what the image holds", () => {
    it("changes the Core tag when a file of the build context changes, and keeps it when nothing does", async () => {
        const dir = coreContextCopy();
        const before = await tagOf(dir);
        assert.match(before, /^3\.23\.5-[0-9a-f]{12}$/);
        assert.equal(await tagOf(dir), before);
        fs.appendFileSync(path.join(dir, "Dockerfile"), "LABEL changed=1\n");
        assert.notEqual(await tagOf(dir), before);
    });

    it("changes the tag with a build argument, and not with a file .dockerignore leaves out", async () => {
        const dir = coreContextCopy();
        fs.writeFileSync(path.join(dir, ".dockerignore"), "notes/\n");
        const before = await tagOf(dir);
        assert.notEqual(await tagOf(dir, { SALEOR_VERSION: "3.23.6" }), before);
        fs.mkdirSync(path.join(dir, "notes"));
        fs.writeFileSync(path.join(dir, "notes", "todo.txt"), "not sent to Docker");
        assert.equal(await tagOf(dir), before);
        fs.writeFileSync(path.join(dir, "extra.txt"), "sent to Docker");
        assert.notEqual(await tagOf(dir), before);
    });

    it("refuses a build context that is not there, naming it", async () => {
        await assert.rejects(tagOf(path.join(os.tmpdir(), "no-such-context")), /the build context .*no-such-context .* is not a directory/);
    });

    it("tags the stack's Core build by Saleor version and content, not by the release label", async () => {
        const res = new Resources((await evaluated("staging")).resources);
        assert.match(imageName(res, "core-3.23.5-image"), /\/staging\/saleor-core:3\.23\.5-[0-9a-f]{12}$/);
        const relabelled = new Resources((await evaluated("staging", { "saleor:release": "0a1b2c3d4e5f" })).resources);
        assert.equal(imageName(relabelled, "core-3.23.5-image"), imageName(res, "core-3.23.5-image"));
    });

    it("leaves a secondary pinned to its Saleor version on its image when saleorVersion moves on", async () => {
        const before = new Resources((await evaluated("staging")).resources);
        const after = new Resources(
            (
                await evaluated("staging", {
                    "saleor:saleorVersion": "3.23.6",
                    "saleor:regionReleases": JSON.stringify({ "eu-west-1": "3.23.5" }),
                })
            ).resources,
        );
        assert.equal(coreImageOf(after, "eu-west-1"), coreImageOf(before, "eu-west-1"));
        assert.notEqual(coreImageOf(after, "eu-central-1"), coreImageOf(before, "eu-central-1"));
        assert.match(imageName(after, "core-3.23.6-image"), /:3\.23\.6-[0-9a-f]{12}$/);
    });

    it("leaves a secondary pinned to a git SHA on its image when saleorVersion moves on, given the version it runs", async () => {
        const sha = "0a1b2c3d4e5f";
        const before = new Resources((await evaluated("staging", { "saleor:release": sha })).resources);
        const after = new Resources(
            (
                await evaluated("staging", {
                    "saleor:saleorVersion": "3.23.6",
                    "saleor:release": "1b2c3d4e5f60",
                    "saleor:regionReleases": JSON.stringify({ "eu-west-1": sha }),
                    // What the deploy driver pins with the release: the Saleor version the region runs.
                    "saleor:regionSaleorVersions": JSON.stringify({ "eu-west-1": "3.23.5" }),
                })
            ).resources,
        );
        assert.equal(coreImageOf(after, "eu-west-1"), coreImageOf(before, "eu-west-1"));
        assert.notEqual(coreImageOf(after, "eu-central-1"), coreImageOf(before, "eu-central-1"));
    });

    it("exports the Saleor version each region runs, for the deploy driver to pin", async () => {
        const e = await evaluated("staging", {
            "saleor:regionReleases": JSON.stringify({ "eu-west-1": "3.23.4" }),
            "saleor:dashboardVersion": "3.23.0",
        });
        const regions = (e.outputs as { regions: Record<string, { saleorVersion: string }> }).regions;
        assert.deepEqual([regions["eu-central-1"].saleorVersion, regions["eu-west-1"].saleorVersion], ["3.23.5", "3.23.4"]);
    });

    it("tags the stack's one storefront build by its source commit, home region and the arguments baked into it", async () => {
        const res = new Resources((await evaluated("staging")).resources);
        assert.match(imageName(res, "eu-central-1-storefront-image").split(":").pop() ?? "", /^60fea09057dd-eu-central-1-[0-9a-f]{12}$/);
        const channel = new Resources(
            (
                await evaluated("staging", {
                    "saleor:images": JSON.stringify({
                        storefront: {
                            source: "build",
                            context: "../storefront",
                            repositoryName: "saleor-storefront",
                            tag: "1.0.0",
                            defaultChannel: "eu",
                        },
                    }),
                })
            ).resources,
        );
        assert.notEqual(imageName(channel, "eu-central-1-storefront-image"), imageName(res, "eu-central-1-storefront-image"));
    });

    it("gives the storefront build a new tag when its Dockerfile changes, as the pushed tag cannot be pushed again", async () => {
        const storefront = (dockerfile: string) => ({
            "saleor:images": JSON.stringify({
                storefront: {
                    source: "build",
                    context: "../storefront",
                    repositoryName: "saleor-storefront",
                    tag: "60fea09057dd",
                    dockerfile,
                },
            }),
        });
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "storefront-dockerfile-"));
        scratch.push(dir);
        const copy = path.join(dir, "Dockerfile");
        fs.copyFileSync(path.join("images", "storefront", "Dockerfile"), copy);
        const same = new Resources((await evaluated("staging", storefront(copy))).resources);
        const before = new Resources((await evaluated("staging")).resources);
        assert.equal(
            imageName(same, "eu-central-1-storefront-image"),
            imageName(before, "eu-central-1-storefront-image"),
            "same content, same tag",
        );
        const edited = path.join(dir, "Dockerfile.edited");
        fs.writeFileSync(edited, `${fs.readFileSync(copy, "utf8")}LABEL changed=yes\n`);
        const changed = new Resources((await evaluated("staging", storefront(edited))).resources);
        assert.notEqual(imageName(changed, "eu-central-1-storefront-image"), imageName(before, "eu-central-1-storefront-image"));
    });

    it("names the key when the storefront's Dockerfile does not exist", async () => {
        const images = JSON.stringify({
            storefront: {
                source: "build",
                context: "../storefront",
                repositoryName: "saleor-storefront",
                tag: "60fea09057dd",
                dockerfile: "images/nope/Dockerfile",
            },
        });
        await assert.rejects(
            evaluated("staging", { "saleor:images": images }),
            /images\.storefront\.dockerfile is images\/nope\/Dockerfile, which does not exist/,
        );
    });
});
