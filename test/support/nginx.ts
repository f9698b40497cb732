import { ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port';

/** The repo's own nginx.conf, the one docker-compose uses: tests run the real thing. */
const REPO_CONF = join(__dirname, '..', '..', 'nginx.conf');

export interface NginxProxy {
  port: number;
  url: string;
  wsUrl: string;
  stop(): Promise<void>;
}

export function findNginx(): string {
  const dirs = ['/usr/sbin', ...(process.env.PATH ?? '').split(delimiter).filter((dir) => dir.length > 0)];
  for (const dir of dirs) {
    const candidate = join(dir, 'nginx');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error('nginx is not installed: apt-get install -y nginx');
}

/**
 * nginx.conf rewritten to run from `dir`: listen on 127.0.0.1:<port>, proxy to the given local
 * backends, and keep pid, logs and temp files out of /var (nginx's compiled-in paths).
 */
export function localNginxConf(template: string, port: number, backendPorts: number[], dir: string): string {
  let conf = replaceOne(template, /^[ \t]*listen 80;[ \t]*$/m, `        listen 127.0.0.1:${port};`, '`listen 80;`');
  conf = replaceOne(conf, /upstream relay_backend \{[^}]*\}/, (block) => withServers(block, backendPorts), '`upstream relay_backend { ... }`');
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `    ${kind}_temp_path ${join(dir, `${kind}_temp`)};`)
    .join('\n');
  conf = replaceOne(conf, /^http \{$/m, `http {\n    access_log off;\n${temp}`, '`http {` on a line of its own');
  return `pid ${join(dir, 'nginx.pid')};\nerror_log ${join(dir, 'error.log')};\n${conf}`;
}

/** The upstream block with its `server ...;` lines swapped for one line per local backend. */
function withServers(block: string, backendPorts: number[]): string {
  const serverLine = /^[ \t]*server[ \t][^;\n]*;[^\n]*\n/gm;
  if (!block.match(serverLine)) throw new Error('nginx.conf: `upstream relay_backend` has no `server host:port;` line');
  const servers = backendPorts.map((backend) => `        server 127.0.0.1:${backend};\n`).join('');
  let first = true;
  return block.replace(serverLine, () => (first ? ((first = false), servers) : ''));
}

/** Starts nginx from the repo's nginx.conf in front of the given local ports. */
export async function startNginx(backendPorts: number[], timeoutMs = 10_000): Promise<NginxProxy> {
  const binary = findNginx();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'relay-nginx-'));
  const confPath = join(dir, 'nginx.conf');
  const errorLog = join(dir, 'error.log');
  writeFileSync(confPath, localNginxConf(readFileSync(REPO_CONF, 'utf8'), port, backendPorts, dir));

  // -e: even the log nginx opens before reading its config goes to `dir`, not /var/log/nginx.
  const child = spawn(binary, ['-p', dir, '-e', errorLog, '-c', confPath, '-g', 'daemon off;'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.once('error', (error) => (output += `spawn failed: ${error.message}\n`));
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const diagnostics = () => `nginx output:\n${output}\nerror.log:\n${readIfPresent(errorLog)}\nconfig ${confPath}`;

  try {
    await waitForPort(port, child, timeoutMs);
  } catch (error) {
    await kill(child, exited);
    throw new Error(`nginx did not start: ${(error as Error).message}\n${diagnostics()}`);
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/entrypoint`,
    stop: async () => {
      await kill(child, exited);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until something accepts TCP on the port; fails at once if nginx exits. */
async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
      throw new Error(`it exited (${child.exitCode ?? child.signalCode ?? 'never started'})`);
    }
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`port ${port} did not accept connections within ${timeoutMs} ms`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** SIGTERM is nginx's fast shutdown: it does not wait for open WebSockets as SIGQUIT would. */
async function kill(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  child.kill('SIGTERM');
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

function replaceOne(
  text: string,
  pattern: RegExp,
  replacement: string | ((match: string, ...groups: string[]) => string),
  what: string,
): string {
  const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  const count = text.match(global)?.length ?? 0;
  if (count !== 1) throw new Error(`nginx.conf must contain exactly one ${what}; found ${count}`);
  return typeof replacement === 'string' ? text.replace(pattern, () => replacement) : text.replace(pattern, replacement);
}

function readIfPresent(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '(none)';
  }
}
