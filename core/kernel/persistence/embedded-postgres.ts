import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/**
 * The embedded default: PGlite (real Postgres compiled to WASM, with pgvector) in a data folder,
 * served on a loopback socket so the one `pg` driver MikroORM uses talks to it exactly as it talks
 * to a server. PGlite is a single session: callers must keep their pool at one connection.
 */
export type EmbeddedPostgres = {
  url: string;
  /** A copy of the whole database, to start another in-memory one from (skips initdb and migrations). */
  dump(): Promise<Blob>;
  stop(): Promise<void>;
};

export async function startEmbeddedPostgres(dataDir: string | undefined, template?: Blob): Promise<EmbeddedPostgres> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir, extensions: { vector }, ...(template && !dataDir ? { loadDataDir: template } : {}) });
  await db.exec("CREATE EXTENSION IF NOT EXISTS vector");
  // In memory, files live in growable arrays that are copied whole each time they grow (by an
  // eighth past 1 MB): zero-filling each new 16 MB WAL segment block by block copies it over and
  // over, a pause of tens of milliseconds on the one thread that also answers every request. On
  // disk the zero-fill is PostgreSQL's default and stays.
  if (!dataDir) await db.exec("SET wal_init_zero = off");
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 8 });
  await server.start();
  return {
    url: `postgresql://postgres@${server.getServerConn()}/postgres`,
    dump: () => db.dumpDataDir("none"),
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
