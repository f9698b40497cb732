import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
  const releaseLock = dataDir === 'memory://' ? () => {} : lockDataDir(dataDir);
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
      releaseLock();
    },
  };
}

/**
 * PGlite has no lock of its own, and two processes on one data directory corrupt it; so the
 * first process writes its pid there and the second is refused with an explanation.
 */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = join(dataDir, 'relay.pid');
  const holder = readPid(lockFile);
  if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
    throw new Error(
      `The embedded database in ${dataDir} is in use by process ${holder}. Stop that process, or set DATABASE_URL to share a real Postgres.`,
    );
  }
  writeFileSync(lockFile, String(process.pid));
  return () => rmSync(lockFile, { force: true });
}

function readPid(file: string): number | undefined {
  try {
    return Number.parseInt(readFileSync(file, 'utf8'), 10) || undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
