'use strict';
const { sleep, specFor, drain, latency } = require('../lib/util');
const { commandCpuMicros, machineBusyWindow } = require('../lib/proc-stats');
const { envelopeCounts, envelopeDelta } = require('../lib/relay-metrics');

const INSTANCES = 3;

/**
 * `pairs` pairs over 3 instances, the two sides of a pair always on different instances, each
 * side sending direct messages to the other; `dmRate` sends/s offered in total.
 */
module.exports = async function dm({ options, startServers, createUsers, pool, recordAllocations }) {
  const servers = await startServers(INSTANCES);
  try {
    const users = await createUsers(options.pairs * 2, 'dm');
    const specs = [];
    for (let k = 0; k < options.pairs; k++) {
      const [a, b] = [users[2 * k], users[2 * k + 1]];
      specs.push(specFor(a, servers[k % INSTANCES], { peerId: b.id }));
      specs.push(specFor(b, servers[(k + 1) % INSTANCES], { peerId: a.id }));
    }
    await pool.connect(specs);
    const ratePerClient = options.dmRate / (options.pairs * 2);
    // The first message of a pair creates its direct conversation.
    await pool.all('pairSend', { ratePerClient: 1, durationMs: 1000 });
    await drain(pool, (t) => t.unacked === 0);
    if (options.warmup > 0) {
      await pool.all('pairSend', { ratePerClient, durationMs: options.warmup * 1000 });
      await drain(pool, (t) => t.unacked === 0, 10_000);
    }
    await sleep(500);
    await pool.all('reset');
    await Promise.all(servers.map((s) => s.stats(false)));
    const envelopesBefore = await Promise.all(servers.map(envelopeCounts));
    const cpuBefore = servers.map((s) => s.cpuMicros());
    const clientCpuBefore = pool.cpuMicros();
    // Postgres and Redis share the machine with the servers: what they spend per send is part of
    // what a send costs here (the reference uses no Postgres).
    const storesBefore = { postgres: commandCpuMicros('postgres'), redis: commandCpuMicros('redis-server') };
    const stopRecording = await recordAllocations(servers, 'dm');
    const machineBusy = machineBusyWindow();
    const started = Date.now();
    const sends = await pool.all('pairSend', { ratePerClient, durationMs: options.duration * 1000 });
    const windowMs = Date.now() - started;
    const sent = sends.reduce((n, r) => n + r.sent, 0);
    // Sends not yet delivered when the window closed: a few ms' worth while the servers keep
    // up, a queue that grows through the window past saturation (see the saturation scenario).
    const atWindowEnd = await pool.collect();
    const total = await drain(pool, (t) => t.acked + t.errors >= sent && t.delivered >= t.acked, 10_000);
    const cpu = servers.reduce((sum, s, i) => sum + s.cpuMicros() - cpuBefore[i], 0);
    const clientCpu = pool.cpuMicros() - clientCpuBefore;
    const postgresCpu = commandCpuMicros('postgres') - storesBefore.postgres;
    const redisCpu = commandCpuMicros('redis-server') - storesBefore.redis;
    const machineBusyPercent = machineBusy();
    await stopRecording();
    const elu = await Promise.all(servers.map((s) => s.stats(false)));
    // Routing: a DM between instances A and B should reach B only, so one envelope per send;
    // relaying to every instance would make it (instances - 1).
    const envelopes = envelopeDelta(envelopesBefore, await Promise.all(servers.map(envelopeCounts)));
    return {
      sent,
      offeredPerSec: sent / (windowMs / 1000),
      ackedPerSec: total.acked / (windowMs / 1000),
      ...latency('ack', total.ack),
      backlogSeconds: (sent - atWindowEnd.delivered) / (sent / (windowMs / 1000)),
      ...latency('delivery', total.delivery),
      cpuMicrosPerSend: cpu / total.acked,
      postgresCpuMicrosPerSend: postgresCpu / total.acked,
      redisCpuMicrosPerSend: redisCpu / total.acked,
      serverCpuPercent: (cpu / (windowMs * 1000)) * 100,
      clientCpuPercent: (clientCpu / (windowMs * 1000)) * 100,
      machineBusyPercent,
      maxEventLoopUtilization: Math.max(...elu.map((e) => e.eventLoopUtilization)),
      unacked: sent - total.acked - total.errors,
      losses: total.acked - total.delivered,
      errors: total.errors,
      ...(envelopes && {
        redisEnvelopesReceivedPerSend: envelopes.receivedPerInstance.reduce((a, b) => a + b, 0) / total.acked,
        redisEnvelopesPublishedPerSend: envelopes.published / total.acked,
      }),
    };
  } finally {
    await pool.all('closeAll');
    await Promise.all(servers.map((s) => s.stop()));
  }
};
