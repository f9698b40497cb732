'use strict';
/**
 * `npm run bench`: starts what it needs (a fresh database on the local Postgres, Relay
 * instances and reference instances on the local Redis), drives load from separate client
 * processes, and prints and saves every figure next to the reference's. See docs/PERFORMANCE.md.
 */
const { existsSync, mkdirSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { parseArgs, USAGE } = require('./lib/args');
const { startServers, stopServers } = require('./lib/servers');
const fixtures = require('./lib/fixtures');
const { WorkerPool } = require('./lib/workers');
const { medianOf } = require('./lib/util');
const { machine, ratios, table, writeReport } = require('./report');

const SCENARIOS = {
  idle: require('./scenarios/idle'),
  fanout: require('./scenarios/fanout'),
  dm: require('./scenarios/dm'),
  persist: require('./scenarios/persist'),
  slow: require('./scenarios/slow'),
  saturation: require('./scenarios/saturation'),
};

const PROFILE_DIR = join(__dirname, 'results', 'profiles');
const live = new Set();

function contextFor(target, options, db, pool) {
  const env =
    target === 'relay'
      ? { DATABASE_URL: db.url, REDIS_URL: fixtures.REDIS_URL, REDIS_CHANNEL_PREFIX: `${db.name}:`, JWT_SECRET: fixtures.JWT_SECRET }
      : { REDIS_URL: fixtures.REDIS_URL, REDIS_CHANNEL_PREFIX: `${db.name}_ref:` };
  const profileDir = options.profile ? PROFILE_DIR : undefined;
  return {
    target,
    options,
    db,
    pool,
    // extraEnv: a scenario's own server settings (slow: larger message bodies).
    async startServers(count, extraEnv = {}) {
      const servers = await startServers(target, count, { ...env, ...extraEnv }, { profileDir, relayMain: options.relayMain });
      servers.forEach((s) => live.add(s));
      for (const s of servers) s.exited.then(() => live.delete(s));
      return servers;
    },
    // --alloc-profile: starts recording what each Relay instance allocates; resolves to the stop.
    async recordAllocations(servers, scenario) {
      if (!options.allocProfile || target !== 'relay') return async () => {};
      await Promise.all(servers.map((s) => s.startAllocationProfile()));
      return async () => {
        mkdirSync(PROFILE_DIR, { recursive: true });
        const stamp = new Date().toISOString().replace(/[:.]/g, '-');
        await Promise.all(servers.map((s) => s.stopAllocationProfile(join(PROFILE_DIR, `${scenario}-${s.instanceId}-${stamp}.heapprofile`))));
      };
    },
    createUsers: (count, tag) => fixtures.createUsers(target === 'relay' ? db : null, count, tag),
    createGroup: (members, servers) => fixtures.createGroup(target === 'relay' ? db : null, members, servers),
  };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) return console.log(USAGE);
  options.relayMain = resolve(options.relayMain || join(__dirname, '..', 'dist', 'main.js'));
  if (!existsSync(options.relayMain)) throw new Error(`${options.relayMain} is missing: run npm run build`);
  const report = { startedAt: new Date().toISOString(), machine: machine(), options, scenarios: {} };
  console.log(`bench on ${report.machine.cores} x ${report.machine.cpu}, node ${report.machine.node}, DAMON ${report.machine.damon}, commit ${report.machine.commit}, relay ${options.relayMain}`);
  const db = await fixtures.createDatabase();
  const pool = new WorkerPool(options.workers);
  try {
    for (const name of options.scenarios) {
      const result = {};
      for (let run = 1; run <= options.repeat; run++) {
        for (const target of options.targets) {
          const t0 = Date.now();
          const metrics = await SCENARIOS[name](contextFor(target, options, db, pool));
          // Stopped instances leave their users' presence entries to expire, and the next run's
          // instances would reap and announce them inside their measured window (fanout runs 2
          // and 3 read 15-17 % more CPU per delivery than run 1 for that alone): start clean.
          await fixtures.dropRedisKeys(db.name);
          (result[target] ??= { runs: [] }).runs.push(metrics);
          console.log(`  ${name} ${target} run ${run}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        }
      }
      for (const target of Object.keys(result)) result[target].median = medianOf(result[target].runs);
      result.ratio = ratios(result.reference?.median, result.relay?.median);
      report.scenarios[name] = result;
      console.log(table(name, result));
    }
  } finally {
    await pool.close();
    await stopServers([...live]);
    await db.drop().catch((error) => console.warn(`could not drop ${db.name}: ${error.message}`));
    await fixtures.dropRedisKeys(db.name).catch((error) => console.warn(`could not delete the Redis keys of ${db.name}: ${error.message}`));
  }
  report.finishedAt = new Date().toISOString();
  console.log(`\nwrote ${writeReport(report)}`);
}

process.on('SIGINT', () => {
  for (const s of live) s.child.kill('SIGKILL');
  process.exit(130);
});

main().catch((error) => {
  console.error(error.stack ?? error);
  for (const s of live) s.child.kill('SIGKILL');
  process.exit(1);
});
