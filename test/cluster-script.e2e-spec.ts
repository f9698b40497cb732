import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port';
import { TEST_JWT_SECRET } from './support/relay-instance';
import { POSTGRES_ADMIN_URL, REDIS_URL, uniqueChannelPrefix, uniqueSuffix } from './support/services';

const SCRIPT = join(__dirname, '..', 'scripts', 'cluster.js');

interface Started {
  name: string;
  pid: number;
  url: string;
}

async function adminQuery<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Processes in the given process groups: the script gives each child a group of its own. */
function membersOf(groups: number[]): string[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,pgid=,args=']).toString();
  return table.split('\n').filter((line) => groups.includes(Number(line.trim().split(/\s+/)[1])));
}

function accepts(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('npm run cluster (scripts/cluster.js)', () => {
  const database = `relay_cluster_test_${uniqueSuffix()}`;
  let script: ChildProcess;
  let exited: Promise<[number | null, NodeJS.Signals | null]>;
  let output = '';
  let url: string;
  let started: Started[] = [];

  beforeAll(async () => {
    const databaseUrl = new URL(POSTGRES_ADMIN_URL);
    databaseUrl.pathname = `/${database}`;
    const port = await freePort();
    // --no-build: `npm test` has built dist/ already, and rebuilding it here would rewrite
    // files under the server processes other test files are starting at the same moment.
    script = spawn(process.execPath, [SCRIPT, '--instances', '2', '--port', String(port), '--base-port', '0', '--no-build'], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        JWT_SECRET: TEST_JWT_SECRET,
        LOG_LEVEL: 'warn',
        DATABASE_URL: databaseUrl.toString(),
        REDIS_URL,
        REDIS_CHANNEL_PREFIX: uniqueChannelPrefix(),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    script.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    script.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = once(script, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

    const deadline = Date.now() + 90_000;
    while (!/^Ready at (http:\/\/\S+)/m.test(output)) {
      if (script.exitCode !== null || script.signalCode !== null) throw new Error(`the script exited before it was ready:\n${output}`);
      if (Date.now() > deadline) throw new Error(`the script did not print its URL in time:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    url = /^Ready at (http:\/\/\S+)/m.exec(output)![1];
    started = [...output.matchAll(/^ {2}(\S+)\s+pid (\d+)\s+(http:\S+)$/gm)].map(([, name, pid, own]) => ({ name, pid: Number(pid), url: own }));
  });

  afterAll(async () => {
    if (script && script.exitCode === null && script.signalCode === null) script.kill('SIGKILL');
    for (const { pid } of started) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
    }
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it('creates its database and reports two instances and nginx, with their pids', async () => {
    expect(await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [database])).toHaveLength(1);
    expect(started.map((entry) => entry.name)).toEqual(['cluster-1', 'cluster-2', 'nginx']);
    expect(url).toBe(started[2].url);
    for (const { pid } of started) expect(alive(pid)).toBe(true);
  });

  it('serves /health/ready through nginx from both instances', async () => {
    const answeredBy = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const response = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(5_000) });
      const body = (await response.json()) as { instanceId: string };
      expect(response.status).toBe(200);
      expect(body).toMatchObject({ status: 'ok', checks: { database: 'ok', bus: 'ok' } });
      answeredBy.add(body.instanceId);
    }
    expect([...answeredBy].sort()).toEqual(['cluster-1', 'cluster-2']);
  });

  it('stops every child on SIGINT, leaves no process behind and exits 0', async () => {
    script.kill('SIGINT');
    const timer = setTimeout(() => script.kill('SIGKILL'), 30_000);
    const [code, signal] = await exited;
    clearTimeout(timer);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(output).toMatch(/SIGINT: stopping 3 process/);

    const pids = started.map((entry) => entry.pid);
    expect(pids.filter(alive)).toEqual([]);
    // nginx's workers and anything else a child started share its process group.
    expect(membersOf(pids)).toEqual([]);
    for (const { url: own } of started) expect(await accepts(own)).toBe(false);
  });
});
