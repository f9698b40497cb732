#!/usr/bin/env node
'use strict';
// `npm run cluster -- --instances 3`: the docker-compose demo without Docker. Builds, starts N
// instances (node dist/main.js) on one Postgres and one Redis, puts the repo's nginx.conf in
// front when nginx is installed, and stops everything on Ctrl-C or SIGTERM.
const { spawn, spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { connect, createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const { Client } = require('pg');
const { findNginx, prepareLocalNginx } = require('./nginx-config');

const ROOT = join(__dirname, '..');
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const USAGE = `Usage: npm run cluster -- [--instances N] [--port P] [--base-port B] [--no-build]
  --instances N   instances to start (default 3)
  --port P        nginx's port (default 8080; 0 picks a free one)
  --base-port B   first instance's port, the others follow (default 3001; 0 picks free ones)
  --no-build      run the existing dist/ instead of building first
Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/relay_cluster, created if
missing), REDIS_URL (default redis://127.0.0.1:6379, unless REDIS_CLUSTER_NODES names a Redis
Cluster), and any other variable from sample.env.`;

/** Every process we started, so that every exit path can stop them all. */
const children = [];
let nginxDir;
let stopping = false;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      instances: { type: 'string', default: '3' },
      port: { type: 'string', default: '8080' },
      'base-port': { type: 'string', default: '3001' },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (name, min, max) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min || value > max) fail(`--${name} must be an integer from ${min} to ${max}\n${USAGE}`);
    return value;
  };
  return { instances: number('instances', 1, 32), port: number('port', 0, 65535), basePort: number('base-port', 0, 65535), build: !values['no-build'] };
}

async function main() {
  const options = parseOptions();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void shutdown(signal));

  if (options.build) {
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) fail('the build failed');
  }
  const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/relay_cluster';
  // With REDIS_CLUSTER_NODES the instances use the cluster; both set would be refused at boot.
  const redisUrl = process.env.REDIS_CLUSTER_NODES ? '' : process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  await ensureDatabase(databaseUrl);

  const ports = options.basePort === 0 ? await freePorts(options.instances) : range(options.basePort, options.instances);
  const instances = ports.map((port, i) => startInstance(`cluster-${i + 1}`, port, databaseUrl, redisUrl));
  // Together: the instances take a Postgres advisory lock to run migrations one at a time.
  await Promise.all(instances.map(waitUntilReady));

  const proxy = await startNginxIfInstalled(options.port || (await freePorts(1))[0], ports);
  const url = proxy ? proxy.url : instances[0].url;
  console.log(`\nRelay cluster: ${instances.length} instance(s) on ${redact(databaseUrl)} and ${redact(redisUrl)}`);
  for (const { name, child, url: own } of [...instances, ...(proxy ? [proxy] : [])]) console.log(`  ${name.padEnd(10)} pid ${child.pid}  ${own}`);
  if (!proxy) console.log('  nginx is not installed (apt-get install -y nginx): talk to the instances directly');
  console.log(`Ready at ${url}  (docs ${url}/docs, WebSocket ${url.replace(/^http/, 'ws')}/entrypoint). Ctrl-C stops everything.`);
}

/** Creates the database when it does not exist yet; the instances run the migrations. */
async function ensureDatabase(url) {
  const reach = async (target) => {
    const client = new Client({ connectionString: target, connectionTimeoutMillis: 5_000 });
    await client.connect();
    return client;
  };
  try {
    await (await reach(url)).end();
    return;
  } catch (error) {
    if (error.code !== '3D000') fail(`cannot reach Postgres at ${redact(url)}: ${error.message}`);
  }
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail(`database "${name}" does not exist; create it, or use a plain name this script can create`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = await reach(admin.toString());
  try {
    await client.query(`CREATE DATABASE "${name}"`);
    console.log(`created database ${name}`);
  } catch (error) {
    if (error.code !== '42P04') fail(`cannot create database ${name}: ${error.message}`); // 42P04: created meanwhile
  } finally {
    await client.end();
  }
}

function startInstance(name, port, databaseUrl, redisUrl) {
  const env = { ...process.env, HOST: '127.0.0.1', PORT: String(port), INSTANCE_ID: name, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl };
  return track(name, spawn(process.execPath, [join(ROOT, 'dist', 'main.js')], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'], detached: true }), `http://127.0.0.1:${port}`);
}

async function startNginxIfInstalled(port, backendPorts) {
  try {
    findNginx();
  } catch {
    return undefined;
  }
  nginxDir = mkdtempSync(join(tmpdir(), 'relay-cluster-nginx-'));
  const { binary, args, errorLog } = prepareLocalNginx(port, backendPorts, nginxDir);
  const proxy = track('nginx', spawn(binary, args, { stdio: ['ignore', 'inherit', 'inherit'], detached: true }), `http://127.0.0.1:${port}`);
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (proxy.exited || Date.now() > deadline) fail(`nginx did not start on port ${port}:\n${readIfPresent(errorLog)}`);
    await delay(50);
  }
  return proxy;
}

/**
 * Each child gets a process group of its own (detached), so a terminal's Ctrl-C reaches only
 * this script, which then stops the children once and in order rather than racing them.
 */
function track(name, child, url) {
  const entry = { name, child, url, exited: false };
  entry.done = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      entry.exited = true;
      if (!stopping) console.error(`${name} exited (${signal ?? `code ${code}`})`);
      resolve();
    }),
  );
  child.once('error', (error) => console.error(`${name}: ${error.message}`));
  children.push(entry);
  return entry;
}

/** Polls /health/ready; fails with the last answer if the instance exits or never gets there. */
async function waitUntilReady(instance) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (instance.exited) fail(`${instance.name} exited during start-up`);
    try {
      const response = await fetch(`${instance.url}/health/ready`, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = error.message;
    }
    await delay(200);
  }
  fail(`${instance.name} was not ready within ${READY_TIMEOUT_MS / 1000} s: ${last}`);
}

/** SIGTERM to every child (instances close sockets with 1012 and exit 0), SIGKILL stragglers. */
async function shutdown(reason, exitCode = 0) {
  if (stopping) {
    // A second Ctrl-C: do not wait any longer.
    for (const { child, exited } of children) if (!exited) killGroup(child, 'SIGKILL');
    return;
  }
  stopping = true;
  if (reason) console.log(`\n${reason}: stopping ${children.length} process(es)`);
  const running = children.filter((entry) => !entry.exited);
  for (const { child } of running) child.kill('SIGTERM');
  const timer = setTimeout(() => running.forEach(({ child, exited }) => exited || killGroup(child, 'SIGKILL')), STOP_TIMEOUT_MS);
  await Promise.all(running.map((entry) => entry.done));
  clearTimeout(timer);
  if (nginxDir) rmSync(nginxDir, { recursive: true, force: true });
  process.exit(exitCode);
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function fail(message) {
  if (!stopping) {
    console.error(`cluster: ${message}`);
    void shutdown(undefined, 1);
  }
  throw new Stopped();
}

/** Unwinds main() after fail() has begun the shutdown; not itself an error to report. */
class Stopped extends Error {}

function freePorts(count) {
  // All held open at once, so the ports differ from each other.
  const servers = Array.from({ length: count }, () => createServer());
  return Promise.all(servers.map((server) => new Promise((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve(server.address().port))))).finally(() =>
    servers.forEach((server) => server.close()),
  );
}

function range(first, count) {
  return Array.from({ length: count }, (_, i) => first + i);
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** URLs without their passwords, for printing. */
function redact(url) {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

function readIfPresent(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '(no error log)';
  }
}

main().catch((error) => {
  if (error instanceof Stopped) return;
  console.error(`cluster: ${error.stack ?? error}`);
  void shutdown(undefined, 1);
});
