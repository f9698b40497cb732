'use strict';
const { fork } = require('node:child_process');
const { join } = require('node:path');
const { Histogram } = require('./histogram');
const { sumCpuMicros } = require('./proc-stats');

const LOAD_CLIENT = join(__dirname, '..', 'load-client.js');
const ADDRESSES_PER_WORKER = 4;
const COMMAND_TIMEOUT_MS = 180_000;

/** A forked load-client process and a promise-returning call() over its IPC channel. */
class Worker {
  constructor(index) {
    this.index = index;
    this.child = fork(LOAD_CLIENT, [], { env: { ...process.env, BENCH_WORKER_ID: String(index) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.pending = new Map();
    this.nextId = 1;
    this.child.on('message', ({ id, ok, result, error }) => {
      const entry = this.pending.get(id);
      if (!entry) return;
      this.pending.delete(id);
      clearTimeout(entry.timer);
      if (ok) entry.resolve(result);
      else entry.reject(new Error(`worker ${this.index}: ${error}`));
    });
    this.child.on('exit', (code) => {
      for (const entry of this.pending.values()) entry.reject(new Error(`worker ${this.index} exited with ${code}`));
      this.pending.clear();
    });
  }

  /** Source addresses 127.0.0.(10 + 4i) .. (13 + 4i): each gives its own ephemeral-port range. */
  get sourceAddresses() {
    return Array.from({ length: ADDRESSES_PER_WORKER }, (_, j) => `127.0.0.${10 + this.index * ADDRESSES_PER_WORKER + j}`);
  }

  call(cmd, args) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${this.index}: ${cmd} timed out`)), COMMAND_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.child.send({ id, cmd, args });
    });
  }

  stop() {
    if (this.child.connected) this.child.disconnect();
  }
}

class WorkerPool {
  constructor(count) {
    this.workers = Array.from({ length: count }, (_, i) => new Worker(i));
  }

  /** Deals specs round-robin over the workers and connects them; returns the connect rate. */
  async connect(specs, concurrencyPerWorker = 100) {
    const shares = this.workers.map(() => []);
    specs.forEach((spec, i) => shares[i % shares.length].push(spec));
    const started = Date.now();
    const results = await Promise.all(
      this.workers.map((w, i) => w.call('connect', { specs: shares[i], sourceAddresses: w.sourceAddresses, concurrency: concurrencyPerWorker })),
    );
    const elapsedMs = Date.now() - started;
    const connected = results.reduce((n, r) => n + r.connected, 0);
    const failed = results.reduce((n, r) => n + r.failed, 0);
    if (failed > 0) console.warn(`  ${failed} connections failed, e.g. ${results.flatMap((r) => r.errorSamples).slice(0, 3).join('; ')}`);
    return { connected, failed, elapsedMs, perSecond: connected / (elapsedMs / 1000) };
  }

  /** CPU time of all load-client processes, in microseconds. */
  cpuMicros() {
    return sumCpuMicros(this.workers.map((w) => w.child.pid));
  }

  all(cmd, args) {
    return Promise.all(this.workers.map((w) => w.call(cmd, args)));
  }

  /** Counters summed and histograms merged over every worker. */
  async collect() {
    const parts = await this.all('collect');
    const total = { delivered: 0, acked: 0, errors: 0, unacked: 0, errorCodes: {}, delivery: new Histogram(), ack: new Histogram() };
    for (const p of parts) {
      total.delivered += p.delivered;
      total.acked += p.acked;
      total.errors += p.errors;
      total.unacked += p.unacked;
      for (const [code, n] of Object.entries(p.errorCodes)) total.errorCodes[code] = (total.errorCodes[code] ?? 0) + n;
      total.delivery.merge(Histogram.from(p.delivery));
      total.ack.merge(Histogram.from(p.ack));
    }
    return total;
  }

  async close() {
    await this.all('closeAll').catch(() => {});
    for (const w of this.workers) w.stop();
  }
}

module.exports = { WorkerPool };
