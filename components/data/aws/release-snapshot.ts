import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { fitName } from "../../aws/names";

export interface ReleaseSnapshotsArgs {
    /** The primary region's writer: the database every region's migration changes. */
    readonly writer: aws.rds.Instance;
    /** The stack: snapshot identifiers are unique per account and region, and two stacks may share one. */
    readonly stack: string;
    readonly region: string;
    /** The release about to be migrated to: its snapshot is taken before its migration Job. */
    readonly release: string;
    /** The release the primary ran before; its snapshot is kept. Default: none kept. */
    readonly previousRelease?: string;
    readonly tags?: Record<string, string>;
}

export interface ReleaseSnapshots {
    /** The snapshot of the current release, which the migration Job waits for. */
    readonly current: aws.rds.Snapshot;
    /** Every snapshot the program keeps: the current release's and, when named, the previous one's. */
    readonly kept: aws.rds.Snapshot[];
}

/**
 * RDS snapshot identifiers: 1 to 255 letters, digits or hyphens, a letter first, no hyphen at the
 * end and never two in a row (RDS API Reference, CreateDBSnapshot, DBSnapshotIdentifier).
 */
const snapshotIdentifierMax = 255;

/**
 * `saleor-<stack>-<region>-pre-<release>`: the release as letters, digits and single hyphens (a
 * version's `.` becomes `-`: `3.23.5` → `3-23-5`, a git SHA stays as it is). A tag with `-` or `_`
 * could meet another tag's slug (`3-23-5`, `3_23_5`), so its slug is followed by a digest of it.
 */
export function releaseSnapshotIdentifier(stack: string, region: string, release: string): string {
    const slug = release.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    const unambiguous = /^[A-Za-z0-9]+(\.[A-Za-z0-9]+)*$/.test(release);
    const tail = unambiguous ? slug : `${slug}-${createHash("sha256").update(release).digest("hex").slice(0, 6)}`;
    const id = `saleor-${stack}-${region}-pre-${tail}`.replace(/-{2,}/g, "-");
    return fitName(id, snapshotIdentifierMax);
}

/**
 * A manual snapshot of the primary's writer per release, taken before that release's migration
 * (Production Deployment Guide, Phase 2: "Create database backup", then migrate): the migration Job
 * depends on the current release's snapshot, and the provider creates it only once the snapshot is
 * `available`, so the Job waits for a finished snapshot.
 *
 * The resources are named by release: the current release's and the previous one's
 * (`previousRelease`) are in the program with the same inputs as when they were taken, so an update
 * leaves them as they are; an older release's snapshot is no longer in the program and the update
 * deletes it, after everything else.
 *
 * Not protected, unlike the databases: a release removes the snapshot of the release before the
 * previous one. That does not break "a release never touches stateful resources": the database,
 * its automated backups and AWS Backup's recovery points are untouched; these snapshots are
 * release artefacts, made and removed by releases. The snapshot inherits the instance's encryption:
 * RDS encrypts a snapshot of an encrypted instance with the instance's KMS key (aws_db_snapshot
 * takes no key; its `kms_key_id` is an attribute read back), so no key is given here.
 */
export function createReleaseSnapshots(name: string, args: ReleaseSnapshotsArgs, opts: pulumi.CustomResourceOptions): ReleaseSnapshots {
    const snapshot = (release: string) =>
        new aws.rds.Snapshot(
            `${name}-release-snapshot-${release}`,
            {
                dbInstanceIdentifier: args.writer.identifier,
                dbSnapshotIdentifier: releaseSnapshotIdentifier(args.stack, args.region, release),
                tags: { ...args.tags, "saleor:release": release },
            },
            {
                ...opts,
                // terraform-provider-aws website/docs/r/db_snapshot.html.markdown: create defaults to 20m,
                // and the provider waits for `available`. A first manual snapshot copies the whole
                // volume (production: 500 GiB), which may take hours; a failed wait fails the release
                // before its migration, which is the safe side.
                customTimeouts: { create: "3h" },
            },
        );
    const current = snapshot(args.release);
    const previous =
        args.previousRelease !== undefined && args.previousRelease !== args.release ? snapshot(args.previousRelease) : undefined;
    return { current, kept: previous ? [current, previous] : [current] };
}
