import { MikroORM } from "@mikro-orm/postgresql";
import { Migrator } from "@mikro-orm/migrations";
import type { PlatformConfig } from "../config/config.ts";
import type { Logger } from "../observability/logger.ts";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./embedded-postgres.ts";
import type { MigrationObject } from "@mikro-orm/core";
import { probePlatformRole, probeRowLevelSecurity } from "./tenant-scope.ts";
import { PLATFORM_ROLE } from "./migrations/0018-force-row-level-security.migration.ts";
import { join } from "node:path";

export type Database = {
  orm: MikroORM;
  embedded: boolean;
  /** True when PostgreSQL row-level security backs the tenant scope (tenant-scope.ts, migration 0011). */
  rowLevelSecurity: boolean;
  /** The role application queries run as: `bp_platform` (not the tables' owner, migration 0018), or the login's own where the server has no such role. */
  role: string;
  /** True when the database answers a trivial query. */
  isHealthy(): Promise<boolean>;
  close(): Promise<void>;
};

/**
 * In-memory databases (tests, benchmarks) start from a copy of the first one this process
 * migrated: initdb and the migrations cost seconds each time, a copy a fraction of that.
 */
let inMemoryTemplate: Promise<Blob | undefined> | undefined;

/**
 * Opens the database named by DATABASE_URL, or starts the embedded PGlite in DATA_DIR, and
 * applies pending migrations (never schema sync: a running deployment must not drift).
 */
/**
 * What the rooms above the kernel keep in the database: their entities and their migrations, in
 * order. The server hands them over (core/server/entities.ts, core/server/migrations.ts), so the
 * kernel knows no domain table.
 */
export type DatabaseSchema = { entities: unknown[]; migrations: MigrationObject[] };

export async function openDatabase(config: Pick<PlatformConfig, "DATABASE_URL" | "DATA_DIR" | "DB_POOL_MAX">, logger: Logger, schema: DatabaseSchema, options: { inMemory?: boolean } = {}): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = config.DATABASE_URL;
  if (!url) {
    const template = options.inMemory ? await inMemoryTemplate : undefined;
    embedded = await startEmbeddedPostgres(options.inMemory ? undefined : join(config.DATA_DIR, "pgdata"), template);
    url = embedded.url;
    logger.info({ dataDir: options.inMemory ? "(memory)" : config.DATA_DIR }, "embedded PostgreSQL (PGlite + pgvector) started");
  }
  const { entities, migrations } = schema;
  // Migrations run as the login (the tables' owner); everything after runs as bp_platform, which
  // is not the owner, so PostgreSQL holds it to the row-level security policies (0018).
  let workingRole: string | undefined;
  const orm = await MikroORM.init({
    onCreateConnection: async (connection) => {
      if (!workingRole) return;
      // Kysely's DatabaseConnection; the pg dialect reads only `sql` and `parameters`.
      await (connection as { executeQuery(query: { sql: string; parameters: unknown[] }): Promise<unknown> }).executeQuery({ sql: `set role ${workingRole}`, parameters: [] });
    },
    entities: entities as never[],
    clientUrl: url,
    // PGlite serves one session; a larger pool would interleave transactions on it.
    pool: { min: 0, max: embedded ? 1 : config.DB_POOL_MAX },
    extensions: [Migrator],
    migrations: { migrationsList: migrations, transactional: true, snapshot: false, silent: true },
    debug: false,
    allowGlobalContext: false,
  });
  await orm.migrator.up();
  const platformRole = await probePlatformRole(orm);
  if (platformRole.available) {
    workingRole = PLATFORM_ROLE;
    // New connections, each switched to the role as it is made.
    await orm.reconnect();
  } else {
    logger.warn({ reason: platformRole.reason }, "the platform works as the tables' owner here, which row-level security does not hold; see README, Database roles");
  }
  const [{ role }] = await orm.em.fork().execute<{ role: string }[]>("select current_user as role");
  const rls = await probeRowLevelSecurity(orm);
  if (!rls.available) logger.warn({ reason: rls.reason }, "PostgreSQL row-level security is not available here; tenant data is scoped in code only");
  if (options.inMemory && embedded && !inMemoryTemplate) {
    const source = embedded;
    inMemoryTemplate = source.dump().catch(() => undefined);
    await inMemoryTemplate;
  }
  return {
    orm,
    embedded: Boolean(embedded),
    rowLevelSecurity: rls.available,
    role: role!,
    async isHealthy() {
      try {
        await orm.em.getConnection().execute("select 1");
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await orm.close(true);
      await embedded?.stop();
    },
  };
}
