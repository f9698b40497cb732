'use strict';
const { spawn } = require('node:child_process');
const { once } = require('node:events');
const { join } = require('node:path');
const { mkdirSync } = require('node:fs');
const { cpuMicros, rssBytes } = require('./proc-stats');

const ROOT = join(__dirname, '..', '..');
const PROBE = join(__dirname, '..', 'server-probe.js');
const ENTRY = {
  relay: join(ROOT, 'dist', 'main.js'),
  reference: join(__dirname, '..', 'reference-server.js'),
};

// Below the ephemeral range (32768-60999), so no client socket of this run can hold a listen port.
let nextPort = 21100 + (process.pid % 400) * 20;

/** One server process (Relay's dist/main.js or the reference), with the probe preloaded. */
class ServerProcess {
  constructor(kind, child, port, instanceId) {
    this.kind = kind;
    this.child = child;
    this.port = port;
    this.instanceId = instanceId;
    this.output = '';
    this.pendingStats = new Map();
    this.nextStatsId = 1;
    child.stdout.on('data', (chunk) => (this.output = (this.output + chunk).slice(-20_000)));
    child.stderr.on('data', (chunk) => (this.output = (this.output + chunk).slice(-20_000)));
    child.on('message', (reply) => {
      const resolve = this.pendingStats.get(reply?.id);
      if (resolve) this.pendingStats.delete(reply.id), resolve(reply);
    });
    this.exited = once(child, 'exit');
  }

  get pid() {
    return this.child.pid;
  }

  get httpUrl() {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl() {
    return `ws://127.0.0.1:${this.port}/entrypoint`;
  }

  cpuMicros() {
    return cpuMicros(this.pid);
  }

  rssBytes() {
    return rssBytes(this.pid);
  }

  /** memoryUsage() (after two full GCs when gc is true) and event-loop utilisation since the last call. */
  stats(gc = false) {
    return this.ask({ probe: 'stats', gc });
  }

  /** Starts recording allocations (see bench/server-probe.js). */
  startAllocationProfile() {
    return this.ask({ probe: 'alloc-start' });
  }

  /** Stops recording allocations and writes them to `file` (a .heapprofile). */
  stopAllocationProfile(file) {
    return this.ask({ probe: 'alloc-stop', file });
  }

  ask(request) {
    const id = this.nextStatsId++;
    return new Promise((resolve, reject) => {
      // A server that died mid-run is a finding, not a bench crash: say so with its last output.
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        reject(new Error(`${this.instanceId} exited (code ${this.child.exitCode}, signal ${this.child.signalCode}):\n${this.output.slice(-4000)}`));
        return;
      }
      const timer = setTimeout(() => reject(new Error(`${this.instanceId}: no probe answer to ${request.probe}`)), 10_000);
      this.pendingStats.set(id, (reply) => (clearTimeout(timer), resolve(reply)));
      this.child.send({ ...request, id });
    });
  }

  async waitUntilReady(timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`${this.instanceId} exited during start-up:\n${this.output}`);
      try {
        if ((await fetch(`${this.httpUrl}/health/ready`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${this.instanceId} not ready within ${timeoutMs} ms:\n${this.output}`);
  }

  async stop() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * Starts `count` instances of one kind. Relay gets the fresh database, the run's Redis prefix
 * and the JWT secret the bench mints tokens with.
 */
async function startServers(kind, count, env, { profileDir, relayMain } = {}) {
  const servers = [];
  for (let i = 0; i < count; i++) {
    const port = nextPort++;
    const instanceId = `bench-${kind}-${i + 1}`;
    const nodeArgs = ['--expose-gc', '-r', PROBE];
    if (profileDir && kind === 'relay') {
      mkdirSync(profileDir, { recursive: true });
      nodeArgs.push('--cpu-prof', '--cpu-prof-dir', profileDir);
    }
    const entry = kind === 'relay' && relayMain ? relayMain : ENTRY[kind];
    const child = spawn(process.execPath, [...nodeArgs, entry], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        INSTANCE_ID: instanceId,
        LOG_LEVEL: 'warn',
        // Production mode requires an Origin allowlist (bench clients send no Origin, which is
        // accepted), and the per-socket frame rate limit would cap the offered load.
        ALLOWED_ORIGINS: 'https://bench.invalid',
        WS_RATE_BURST: '100000',
        WS_RATE_PER_SECOND: '100000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    servers.push(new ServerProcess(kind, child, port, instanceId));
  }
  // The first Relay instance runs the migrations; the others wait on its advisory lock.
  await Promise.all(servers.map((server) => server.waitUntilReady()));
  return servers;
}

async function stopServers(servers) {
  await Promise.all(servers.map((server) => server.stop()));
}

module.exports = { startServers, stopServers };
