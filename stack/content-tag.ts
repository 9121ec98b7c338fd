import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

/**
 * Image tags that name what an image contains. The registries are IMMUTABLE (a pushed tag never
 * moves, so rollbacks and the other regions get exactly what was tested), so a tag must change
 * whenever the image would: it carries a digest of the build context as Docker sends it (the files
 * `.dockerignore` leaves in), the Dockerfile and the build arguments. An unchanged build keeps its
 * tag and is not pushed again; a changed one gets a new tag instead of colliding with the old one
 * (ECR: ImageTagAlreadyExistsException).
 */

export interface ContentTagArgs {
    /** The build context directory, relative to `root`. */
    readonly context: string;
    /** The Dockerfile, relative to `root`. Default: `<context>/Dockerfile`. */
    readonly dockerfile?: string;
    /** Build arguments; their values are part of the image. */
    readonly args: Record<string, pulumi.Input<string>>;
    /** Readable part in front of the digest, e.g. the Saleor version. */
    readonly prefix: string;
    /** Where relative paths start. Default: the working directory (the project, under the engine). */
    readonly root?: string;
}

/** Hex characters of the digest kept in a tag: 48 bits, no collision among an account's builds. */
const digestLength = 12;

/** `<prefix>-<digest>` of the context's files, the Dockerfile and the arguments. */
export function contentTag(a: ContentTagArgs): pulumi.Output<string> {
    const root = a.root ?? process.cwd();
    const context = path.resolve(root, a.context);
    const dockerfile = path.resolve(root, a.dockerfile ?? path.join(a.context, "Dockerfile"));
    if (!fs.existsSync(context) || !fs.statSync(context).isDirectory()) {
        throw new Error(`the build context ${a.context} (${context}) is not a directory; the image cannot be built or tagged`);
    }
    return taggedDigest(a.prefix, contextDigest(context, dockerfile), a.args);
}

/**
 * `<prefix>-<digest>` of the arguments (and of the Dockerfile, when it is not the source's own), for an
 * image whose source is named by `prefix` (a commit of its repository, which the deploy checks out exactly).
 */
export function argumentsTag(prefix: string, args: Record<string, pulumi.Input<string>>, dockerfile?: string): pulumi.Output<string> {
    return taggedDigest(prefix, dockerfile === undefined ? "" : `dockerfile\0${fs.readFileSync(dockerfile)}`, args);
}

function taggedDigest(prefix: string, files: string, args: Record<string, pulumi.Input<string>>): pulumi.Output<string> {
    return pulumi.output(args).apply((resolved) => {
        const hash = crypto.createHash("sha256").update(files);
        for (const key of Object.keys(resolved).sort()) hash.update(`\0arg\0${key}\0${resolved[key]}`);
        return `${prefix}-${hash.digest("hex").slice(0, digestLength)}`;
    });
}

/**
 * The commit a git checkout has out, or undefined where `dir` is not a checkout; a checkout with
 * changes is refused, as its tag would not name what is built.
 */
export function checkedOutCommit(dir: string): string | undefined {
    if (!fs.existsSync(path.join(dir, ".git"))) return undefined;
    const { execFileSync } = require("child_process") as typeof import("child_process");
    const git = (...args: string[]) => execFileSync("git", ["-C", dir, ...args], { encoding: "utf8" }).trim();
    if (git("status", "--porcelain") !== "")
        throw new Error(`${dir} has uncommitted changes; an image built from it would not be what its tag names`);
    return git("rev-parse", "HEAD");
}

/** A digest of the Dockerfile and every file Docker would send from `context`, by path and content. */
export function contextDigest(context: string, dockerfile: string): string {
    const ignore = dockerIgnore(context);
    const hash = crypto.createHash("sha256");
    hash.update(`dockerfile\0${fs.readFileSync(dockerfile)}`);
    for (const file of filesUnder(context, "", ignore)) {
        hash.update(`\0file\0${file}\0`);
        hash.update(fs.readFileSync(path.join(context, file)));
    }
    return hash.digest("hex");
}

interface Ignored {
    /** Whether Docker leaves this file or directory out of the context. */
    readonly file: (rel: string) => boolean;
    /** Whether an ignored directory may still hold files an exception (`!pattern`) brings back. */
    readonly exceptions: boolean;
}

/** The context's .dockerignore as Docker reads it (@balena/dockerignore implements Docker's rules). */
function dockerIgnore(context: string): Ignored {
    const file = path.join(context, ".dockerignore");
    if (!fs.existsSync(file)) return { file: () => false, exceptions: false };
    const patterns = fs.readFileSync(file, "utf8").split(/\r?\n/);
    // The package is CommonJS (`module.exports = factory`), typed as a default export.
    const factory = require("@balena/dockerignore") as unknown as typeof import("@balena/dockerignore").default;
    const rules = factory().add(patterns);
    return { file: (rel) => rules.ignores(rel), exceptions: patterns.some((p) => p.trim().startsWith("!")) };
}

/**
 * Files under `dir`, relative to the context, in a fixed order. An ignored directory is not entered
 * (node_modules, .git) unless an exception could bring a file inside it back.
 */
function filesUnder(context: string, dir: string, ignored: Ignored): string[] {
    return fs
        .readdirSync(path.join(context, dir), { withFileTypes: true })
        .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
        .flatMap((entry) => {
            const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
            if (entry.isDirectory()) return ignored.file(rel) && !ignored.exceptions ? [] : filesUnder(context, rel, ignored);
            return entry.isFile() && !ignored.file(rel) ? [rel] : [];
        });
}
