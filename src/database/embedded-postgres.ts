import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  url: string;
  connectionLimit: number;
  stop(): Promise<void>;
}

/**
 * Starts PGlite (Postgres compiled to WASM, in this process) and serves it over the Postgres
 * wire protocol on a loopback port, so TypeORM talks to it with the ordinary `pg` driver and
 * the code path is the same as with a real server. Single-instance development only.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  if (dataDir !== 'memory://') mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  // PGlite has one session; the socket server queues other connections' queries while one
  // connection is inside a transaction, so a small pool is still correct.
  const connectionLimit = 4;
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: connectionLimit });
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    connectionLimit,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
