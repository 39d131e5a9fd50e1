import pg from "pg";

/**
 * The real services tests may use, named by environment (`.ci/run` and scripts/test.sh set them
 * when the machine has the server). Each test platform gets its own database and key prefix, so
 * runs and files never see each other's data.
 */
export const testServices = {
  postgresUrl: process.env.TEST_DATABASE_URL,
  redisUrl: process.env.TEST_REDIS_URL,
  natsUrl: process.env.TEST_NATS_URL,
};

export type DatabaseBackend = "pglite" | "postgres";

/** PGlite always; the PostgreSQL server too when the machine has one. */
export function databaseBackends(): DatabaseBackend[] {
  return testServices.postgresUrl ? ["pglite", "postgres"] : ["pglite"];
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Creates a fresh database on the test server; returns its URL and a function that drops it. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!testServices.postgresUrl) throw new Error("TEST_DATABASE_URL is not set");
  const name = uniqueName("bp_test");
  const admin = new pg.Client({ connectionString: testServices.postgresUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(testServices.postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: testServices.postgresUrl });
      await client.connect();
      await client.query(`drop database if exists "${name}" with (force)`);
      await client.end();
    },
  };
}
