/**
 * The PgBouncer image the secondary region's connection pooler runs, as plain data.
 *
 * CloudNativePG's own default PgBouncer image, the one its operator deploys for a Pooler unless told
 * otherwise: cloudnative-pg/cloudnative-pg pkg/versions/versions.go, line 35, `DefaultPgbouncerImage =
 * "ghcr.io/cloudnative-pg/pgbouncer:1.25.1"` (read at commit a95a534d). The image is built by
 * cloudnative-pg/pgbouncer-containers (Dockerfile): Debian slim with the PGDG `pgbouncer` package,
 * user `pgbouncer` uid 998 / gid 996 (`USER pgbouncer`), `ENTRYPOINT ["./entrypoint.sh"]`, which runs
 * `/usr/bin/pgbouncer /etc/pgbouncer/pgbouncer.ini`; `/bin/sh` and `sed` come with the Debian base.
 *
 * Pinned by tag only: no registry is reachable from where this was written, so the digest of that tag
 * could not be read. Append `@sha256:<digest>` (`crane digest ghcr.io/cloudnative-pg/pgbouncer:1.25.1`)
 * to pin it immutably.
 */
export const pgbouncerImage = "ghcr.io/cloudnative-pg/pgbouncer:1.25.1";

/** The image's user and group (pgbouncer-containers Dockerfile: `useradd -r --uid 998 --gid 996 pgbouncer`). */
export const pgbouncerRunAs = { user: 998, group: 996 } as const;
