import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareLocalNginx } from '../../scripts/nginx-config';
import { freePort } from './free-port';

/*
 * The repo's own nginx.conf, the one docker-compose uses, rewritten for local ports by the
 * generator that `npm run cluster` shares: tests run the real thing.
 */
export { findNginx, localNginxConf } from '../../scripts/nginx-config';

export interface NginxProxy {
  port: number;
  url: string;
  wsUrl: string;
  stop(): Promise<void>;
}

/** Starts nginx from the repo's nginx.conf in front of the given local ports. */
export async function startNginx(backendPorts: number[], timeoutMs = 10_000): Promise<NginxProxy> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'relay-nginx-'));
  let prepared: ReturnType<typeof prepareLocalNginx>;
  try {
    prepared = prepareLocalNginx(port, backendPorts, dir);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const { binary, args, confPath, errorLog } = prepared;
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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

function readIfPresent(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '(none)';
  }
}
