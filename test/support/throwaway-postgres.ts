import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

/**
 * A private Postgres server on a free port, for tests that stop or kill Postgres; the shared
 * one on 5432 is never touched. Postgres refuses to run as root, so as root it runs as the
 * `postgres` user.
 */
export class ThrowawayPostgres {
  private constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly binDir: string,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async create(): Promise<ThrowawayPostgres> {
    const binDir = findBinDir();
    const dataDir = mkdtempSync(join(tmpdir(), 'relay-pg-'));
    if (process.getuid?.() === 0) chownSync(dataDir, postgresUid(), postgresGid());
    const server = new ThrowawayPostgres(dataDir, await freePort(), binDir);
    server.run('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    server.start();
    return server;
  }

  start(): void {
    const options = `-p ${this.port} -k ${this.dataDir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    this.run('pg_ctl', ['-D', this.dataDir, '-o', options, '-l', join(this.dataDir, 'server.log'), '-w', 'start']);
  }

  /** Immediate shutdown: connections are cut as in a crash. */
  stop(): void {
    this.run('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
  }

  destroy(): void {
    try {
      this.stop();
    } catch {
      // already stopped
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private run(tool: string, args: string[]): void {
    const binary = join(this.binDir, tool);
    const asRoot = process.getuid?.() === 0;
    const [command, commandArgs] = asRoot ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
    execFileSync(command, commandArgs, { stdio: 'pipe', cwd: tmpdir() });
  }
}

function findBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((version) => join(root, version, 'bin')).find((dir) => existsSync(join(dir, 'pg_ctl')));
  if (!found) throw new Error('Postgres server binaries not found under /usr/lib/postgresql/*/bin (apt-get install -y postgresql)');
  return found;
}

function postgresUid(): number {
  return Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
}

function postgresGid(): number {
  return Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
}
