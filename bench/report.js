'use strict';
const os = require('node:os');
const { execSync } = require('node:child_process');
const { mkdirSync, readFileSync, readdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const RESULTS_DIR = join(__dirname, 'results');

const DAMON_KDAMONDS = '/sys/kernel/mm/damon/admin/kdamonds';

/**
 * 'on' when a kernel DAMON monitor is running: on some VMs one pages out memory it thinks is
 * cold, and the page faults that follow stall Relay and Postgres for tens of milliseconds
 * (PERFORMANCE.md, 2026-12-02). Latency figures are only comparable with the same state.
 */
function damonState() {
  try {
    const kdamonds = readdirSync(DAMON_KDAMONDS).filter((name) => /^\d+$/.test(name));
    return kdamonds.some((id) => readFileSync(join(DAMON_KDAMONDS, id, 'state'), 'utf8').trim() === 'on') ? 'on' : 'off';
  } catch {
    return 'absent';
  }
}

function machine() {
  const cpus = os.cpus();
  let commit = null;
  try {
    commit = execSync('git rev-parse --short HEAD', { cwd: join(__dirname, '..'), stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    // not a git checkout
  }
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    commit,
    damon: damonState(),
  };
}

function format(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '-';
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 0.01 || abs === 0) return value.toFixed(2);
  return value.toExponential(1);
}

/** Relay's figure divided by the reference's, for every metric both have. */
function ratios(reference, relay) {
  if (!reference || !relay) return {};
  return Object.fromEntries(
    Object.keys(relay)
      .filter((k) => typeof reference[k] === 'number' && typeof relay[k] === 'number' && reference[k] !== 0)
      .map((k) => [k, relay[k] / reference[k]]),
  );
}

function table(name, result) {
  const ref = result.reference?.median ?? {};
  const relay = result.relay?.median ?? {};
  const keys = [...new Set([...Object.keys(ref), ...Object.keys(relay)])];
  const refLabel = name === 'persist' ? 'pg INSERT' : 'reference';
  const rows = [['metric', refLabel, 'relay', 'relay/ref'], ...keys.map((k) => [k, format(ref[k]), format(relay[k]), format(result.ratio[k])])];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const runs = Math.max(result.reference?.runs.length ?? 0, result.relay?.runs.length ?? 0);
  const lines = rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
  return [`\n== ${name} (median of ${runs} run${runs === 1 ? '' : 's'})`, ...lines].join('\n');
}

function writeReport(report) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `bench-${report.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  return file;
}

module.exports = { machine, ratios, table, writeReport };
