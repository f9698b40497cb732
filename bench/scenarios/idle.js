'use strict';
const { sleep, specFor } = require('../lib/util');

/**
 * Long enough to contain one full WebSocket ping sweep (HEARTBEAT_INTERVAL_MS, 30 s) and three
 * presence heartbeats (10 s): periodic work averaged over its period, not caught or missed.
 */
const IDLE_WINDOW_MS = 30_000;
const sum = (values) => values.reduce((a, b) => a + b, 0);

/**
 * N authenticated connections spread round-robin over `--instances` instances (default 1):
 * memory per connection after GC, connect rate, idle CPU per instance.
 */
module.exports = async function idle({ options, startServers, createUsers, pool }) {
  const servers = await startServers(options.instances);
  try {
    const users = await createUsers(options.connections, 'idle');
    await sleep(500);
    const before = await Promise.all(servers.map((server) => server.stats(true)));
    const rssBefore = servers.map((server) => server.rssBytes());
    const connect = await pool.connect(users.map((u, i) => specFor(u, servers[i % servers.length])));
    await sleep(1000);
    const after = await Promise.all(servers.map((server) => server.stats(true)));
    const rssAfter = servers.map((server) => server.rssBytes());
    await Promise.all(servers.map((server) => server.stats(false))); // restart the event-loop utilisation window
    const cpuBefore = servers.map((server) => server.cpuMicros());
    await sleep(IDLE_WINDOW_MS);
    const idleCpu = servers.map((server, i) => server.cpuMicros() - cpuBefore[i]);
    const elu = await Promise.all(servers.map((server) => server.stats(false)));
    const n = connect.connected;
    const memory = (pick) => sum(after.map((stats, i) => pick(stats.memory) - pick(before[i].memory))) / n;
    return {
      instances: servers.length,
      connections: n,
      connectFailures: connect.failed,
      connectsPerSec: connect.perSecond,
      rssPerConnBytes: sum(rssAfter.map((rss, i) => rss - rssBefore[i])) / n,
      heapPerConnBytes: memory((m) => m.heapUsed),
      externalPerConnBytes: memory((m) => m.external + m.arrayBuffers),
      rssBaseMiB: sum(rssBefore) / servers.length / 2 ** 20,
      rssLoadedMiB: sum(rssAfter) / servers.length / 2 ** 20,
      // Per instance: the busiest one, as a share of one core.
      idleCpuPercent: Math.max(...idleCpu) / (IDLE_WINDOW_MS * 1000) * 100,
      idleEventLoopUtilization: Math.max(...elu.map((e) => e.eventLoopUtilization)),
    };
  } finally {
    await pool.all('closeAll');
    await Promise.all(servers.map((server) => server.stop()));
  }
};
