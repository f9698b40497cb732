import { ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A private 3-master Redis Cluster on loopback (no replicas), for tests of sharded pub/sub.
 * Each node keeps its cluster config in a temporary directory, removed on stop.
 */
export class ThrowawayRedisCluster {
  private constructor(
    readonly ports: number[],
    private readonly dir: string,
    private readonly processes: ChildProcess[],
  ) {}

  /** REDIS_CLUSTER_NODES for Relay. */
  get nodes(): string {
    return this.ports.map((port) => `127.0.0.1:${port}`).join(',');
  }

  static async create(masters = 3): Promise<ThrowawayRedisCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'relay-redis-cluster-'));
    const ports = await clusterPorts(masters);
    const processes = ports.map((port) =>
      spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--dir', dir, '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      ),
    );
    const cluster = new ThrowawayRedisCluster(ports, dir, processes);
    try {
      await Promise.all(ports.map((port) => poll(`redis-server on ${port}`, async () => (await cli(port, 'ping')) === 'PONG')));
      await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes']);
      // Every node must see every slot served before clients rely on its CLUSTER SLOTS answer.
      await Promise.all(ports.map((port) => poll(`cluster_state:ok on ${port}`, async () => (await cli(port, 'cluster', 'info')).includes('cluster_state:ok'))));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** Runs a redis-cli command against one node and returns its raw output. */
  cli(port: number, ...args: string[]): Promise<string> {
    return cli(port, ...args);
  }

  /** The port of the master that serves the slot of this key or shard channel. */
  async ownerOf(key: string): Promise<number> {
    const slot = Number(await cli(this.ports[0], 'cluster', 'keyslot', key));
    for (const port of this.ports) {
      const self = (await cli(port, 'cluster', 'nodes')).split('\n').find((line) => line.includes('myself'));
      const ranges = self?.split(' ').slice(8) ?? [];
      if (ranges.some((range) => inRange(slot, range))) return port;
    }
    throw new Error(`no node serves slot ${slot}`);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.processes.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }),
    );
    await rm(this.dir, { recursive: true, force: true });
  }
}

function inRange(slot: number, range: string): boolean {
  const [first, last = first] = range.split('-').map(Number);
  return slot >= first && slot <= last;
}

async function cli(port: number, ...args: string[]): Promise<string> {
  try {
    return (await run('redis-cli', ['-p', String(port), ...args])).stdout.trim();
  } catch {
    return '';
  }
}

async function poll(what: string, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${what} within ${timeoutMs} ms`);
}

/**
 * Ports whose cluster bus port (port + 10000) is free too. Taken below the ephemeral range,
 * so that the bus port stays a valid port and is not handed to some outgoing connection.
 */
async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (ports.includes(port) || ports.includes(port + 10_000) || ports.includes(port - 10_000)) continue;
    if ((await isFree(port)) && (await isFree(port + 10_000))) ports.push(port);
  }
  return ports;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
