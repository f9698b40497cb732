'use strict';
const { sleep, specFor } = require('../lib/util');

const IDLE_WINDOW_MS = 5000;

/** N authenticated connections on one instance: memory per connection after GC, connect rate, idle CPU. */
module.exports = async function idle({ options, startServers, createUsers, pool }) {
  const [server] = await startServers(1);
  try {
    const users = await createUsers(options.connections, 'idle');
    await sleep(500);
    const before = await server.stats(true);
    const rssBefore = server.rssBytes();
    const connect = await pool.connect(users.map((u) => specFor(u, server)));
    await sleep(1000);
    const after = await server.stats(true);
    const rssAfter = server.rssBytes();
    await server.stats(false); // restart the event-loop utilisation window
    const cpuBefore = server.cpuMicros();
    await sleep(IDLE_WINDOW_MS);
    const idleCpu = server.cpuMicros() - cpuBefore;
    const elu = await server.stats(false);
    const n = connect.connected;
    return {
      connections: n,
      connectFailures: connect.failed,
      connectsPerSec: connect.perSecond,
      rssPerConnBytes: (rssAfter - rssBefore) / n,
      heapPerConnBytes: (after.memory.heapUsed - before.memory.heapUsed) / n,
      externalPerConnBytes: (after.memory.external + after.memory.arrayBuffers - before.memory.external - before.memory.arrayBuffers) / n,
      rssBaseMiB: rssBefore / 2 ** 20,
      rssLoadedMiB: rssAfter / 2 ** 20,
      idleCpuPercent: (idleCpu / (IDLE_WINDOW_MS * 1000)) * 100,
      idleEventLoopUtilization: elu.eventLoopUtilization,
    };
  } finally {
    await pool.all('closeAll');
    await server.stop();
  }
};
