import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { AwsDataArgs } from "../index";
import { createServiceSecurityGroup } from "./security-group";

const masterUser = "saleor";
const databaseName = "saleor";
const port = 5432;

// UTC. Backups run before the seed's 02:00-04:00 (Central European) deployment window; maintenance
// follows it on Sunday, the quietest night, and never overlaps the backup window.
const backupWindow = "22:30-23:30";
const maintenanceWindow = "sun:03:00-sun:04:00";

/** The PostgreSQL side of one region's data tier. */
export interface Database {
    /** The writer; the primary region only. */
    readonly writer?: aws.rds.Instance;
    /** The read replica in this region: in-region (primary, when asked) or cross-region (secondary). */
    readonly replica?: aws.rds.Instance;
    /** Master password, secret. */
    readonly password: pulumi.Output<string>;
    /** DATABASE_URL, secret. */
    readonly writerUrl: pulumi.Output<string>;
    /** DATABASE_URL_REPLICA (the writer where this region has no replica), secret. */
    readonly replicaUrl: pulumi.Output<string>;
}

/**
 * PostgreSQL major version from "16" or "16.4" (RDS parameter group families are per major);
 * undefined when malformed or older than 15: Django 5.2 (Saleor 3.2x) needs 14+, and Saleor's own
 * CI and compose run 15.
 */
export function postgresMajor(engineVersion: string): number | undefined {
    const major = Number(/^(\d+)(\.\d+)?$/.exec(engineVersion)?.[1]);
    return Number.isInteger(major) && major >= 15 ? major : undefined;
}

/** A libpq URL Saleor reads as DATABASE_URL / DATABASE_URL_REPLICA; secret, as it holds the password. */
export function postgresUrl(password: pulumi.Input<string>, host: pulumi.Input<string>): pulumi.Output<string> {
    // `require`, not `verify-full`: the Core image carries no RDS CA bundle; rds.force_ssl makes
    // the server refuse anything but TLS either way.
    return pulumi.secret(pulumi.interpolate`postgres://${masterUser}:${password}@${host}:${port}/${databaseName}?sslmode=require`);
}

/**
 * The primary region gets the writer (and, when asked, a read replica beside it); a secondary gets
 * no writer, only a cross-region read replica of the primary's, and its Core writes across regions.
 */
export function createDatabase(name: string, args: AwsDataArgs, key: aws.kms.Key, parent: pulumi.Resource): Database {
    const pg = args.postgres;
    const opts: pulumi.CustomResourceOptions = { parent };
    const major = postgresMajor(pg.engineVersion)!;

    const subnetGroup = new aws.rds.SubnetGroup(`${name}-postgres`, {
        description: "Saleor PostgreSQL: private subnets only",
        subnetIds: args.network.privateSubnetIds,
        tags: args.tags,
    }, opts);
    const parameterGroup = new aws.rds.ParameterGroup(`${name}-postgres`, {
        // Auto-named, so a major upgrade (new family) creates the new group before dropping the old.
        family: `postgres${major}`,
        description: `Saleor PostgreSQL ${major}: TLS only, slow-query log`,
        parameters: [
            { name: "rds.force_ssl", value: "1" },
            // Statements slower than a second reach the exported postgresql log (the seed's p95 target is 200 ms).
            { name: "log_min_duration_statement", value: "1000" },
        ],
        tags: args.tags,
    }, opts);

    const instance = (suffix: string, securityGroup: aws.ec2.SecurityGroup, specific: Partial<aws.rds.InstanceArgs>) =>
        new aws.rds.Instance(`${name}-postgres-${suffix}`, {
            instanceClass: pg.instanceClass,
            storageType: "gp3",
            storageEncrypted: true,
            kmsKeyId: key.arn,
            maxAllocatedStorage: pg.maxAllocatedStorageGiB,
            publiclyAccessible: false,
            vpcSecurityGroupIds: [securityGroup.id],
            parameterGroupName: parameterGroup.name,
            performanceInsightsEnabled: true,
            performanceInsightsKmsKeyId: key.arn,
            // The free tier of Performance Insights.
            performanceInsightsRetentionPeriod: 7,
            enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
            autoMinorVersionUpgrade: true,
            // Production changes wait for the maintenance window instead of restarting the database mid-day.
            applyImmediately: !args.protect,
            maintenanceWindow,
            deletionProtection: pg.deletionProtection,
            copyTagsToSnapshot: true,
            tags: args.tags,
            ...specific,
        }, { parent, protect: args.protect });

    const securityGroup = (suffix: string, peerCidrs?: string[]) => createServiceSecurityGroup(`${name}-postgres-${suffix}`, {
        vpcId: args.network.vpcId,
        description: `Saleor PostgreSQL ${suffix}: ${port} from the nodes${peerCidrs?.length ? " and peer regions" : ""}`,
        port,
        nodeSecurityGroupId: args.network.nodeSecurityGroupId,
        peerCidrs,
        tags: args.tags,
    }, parent);

    // A read replica of the writer with ARN `source`, encrypted with this region's key in this
    // region's subnets (AWS wants the source's ARN when the subnet group is given, and always across regions).
    const replicaOf = (source: pulumi.Input<string>, extra: Partial<aws.rds.InstanceArgs> = {}) => instance("replica", securityGroup("replica"), {
        replicateSourceDb: source,
        dbSubnetGroupName: subnetGroup.name,
        // RDS takes no final snapshot of a read replica.
        skipFinalSnapshot: true,
        ...extra,
    });

    if (args.role === "secondary") {
        const primary = args.primary!;
        const replica = replicaOf(primary.writerArn, {
            // This replica is the region's disaster-recovery copy: promoted, it must already be
            // highly available and have backups of its own.
            multiAz: pg.multiAz,
            backupRetentionPeriod: pg.backupRetentionDays,
            backupWindow,
        });
        return { replica, password: primary.password, writerUrl: primary.writerUrl, replicaUrl: postgresUrl(primary.password, replica.address) };
    }

    // Letters and digits only: the password sits inside URLs, where `@`, `/` or `:` would break parsing.
    const password = new random.RandomPassword(`${name}-postgres-password`, { length: 40, special: false }, opts).result;
    const writer = instance("writer", securityGroup("writer", args.peerCidrs), {
        engine: "postgres",
        // A major version alone ("16") lets automatic minor upgrades proceed without a diff.
        engineVersion: pg.engineVersion,
        username: masterUser,
        password: pulumi.secret(password),
        dbName: databaseName,
        port,
        allocatedStorage: pg.allocatedStorageGiB,
        dbSubnetGroupName: subnetGroup.name,
        multiAz: pg.multiAz,
        // Automated backups: a daily snapshot plus transaction logs, restorable to any second of the retention period.
        backupRetentionPeriod: pg.backupRetentionDays,
        backupWindow,
        skipFinalSnapshot: !args.protect,
        finalSnapshotIdentifier: args.protect ? finalSnapshotName(name) : undefined,
        // A deleted production database keeps its automated backups until they expire.
        deleteAutomatedBackups: !args.protect,
    });
    const writerUrl = postgresUrl(password, writer.address);

    const replica = pg.inRegionReplica ? replicaOf(writer.arn) : undefined;
    return { writer, replica, password, writerUrl, replicaUrl: replica ? postgresUrl(password, replica.address) : writerUrl };
}

/** Snapshot identifiers are unique per account and region, so the stack is part of the name. */
function finalSnapshotName(name: string): string {
    const raw = `final-${pulumi.getStack()}-${name}-postgres`.toLowerCase();
    return raw.replace(/[^a-z0-9-]/g, "-").replace(/-+/g, "-").replace(/-$/, "");
}
