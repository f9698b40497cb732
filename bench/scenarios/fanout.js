'use strict';
const { sleep, specFor, drain, latency } = require('../lib/util');
const { machineBusyWindow } = require('../lib/proc-stats');

/**
 * One group of `members` (one socket each) spread over 2 instances; member 0 sends at a fixed
 * rate. Every other member should receive every message: deliveries = sent x (members - 1).
 */
module.exports = async function fanout({ options, startServers, createUsers, createGroup, pool }) {
  const servers = await startServers(2);
  try {
    const users = await createUsers(options.members, 'fanout');
    const conversationId = await createGroup(users, servers);
    const connect = await pool.connect(users.map((u, i) => specFor(u, servers[i % servers.length])));
    await sleep(1000);
    // Member 0 is dealt to worker 0 by pool.connect's round-robin.
    const sendAtRate = (seconds) =>
      pool.workers[0].call('rateSend', { userId: users[0].id, conversationId, rate: options.rate, durationMs: seconds * 1000 });
    if (options.warmup > 0) {
      // The workers still hold the previous run's counts, which would end the drain at once.
      await pool.all('reset');
      const { sent } = await sendAtRate(options.warmup);
      await drain(pool, (t) => t.delivered >= sent * (connect.connected - 1) && t.acked >= sent);
    }
    await pool.all('reset');
    await Promise.all(servers.map((s) => s.stats(false)));
    const cpuBefore = servers.map((s) => s.cpuMicros());
    const clientCpuBefore = pool.cpuMicros();
    const machineBusy = machineBusyWindow();
    const started = Date.now();
    const { sent } = await sendAtRate(options.duration);
    const windowMs = Date.now() - started;
    const expected = sent * (connect.connected - 1);
    const total = await drain(pool, (t) => t.delivered >= expected && t.acked >= sent);
    const cpu = servers.reduce((sum, s, i) => sum + s.cpuMicros() - cpuBefore[i], 0);
    const clientCpu = pool.cpuMicros() - clientCpuBefore;
    const machineBusyPercent = machineBusy();
    const elu = await Promise.all(servers.map((s) => s.stats(false)));
    return {
      sent,
      acked: total.acked,
      deliveries: total.delivered,
      deliveriesPerSec: total.delivered / (windowMs / 1000),
      cpuMicrosPerDelivery: cpu / total.delivered,
      serverCpuPercent: (cpu / (windowMs * 1000)) * 100,
      clientCpuPercent: (clientCpu / (windowMs * 1000)) * 100,
      machineBusyPercent,
      maxEventLoopUtilization: Math.max(...elu.map((e) => e.eventLoopUtilization)),
      ...latency('delivery', total.delivery),
      ...latency('ack', total.ack),
      losses: expected - total.delivered,
      errors: total.errors,
    };
  } finally {
    await pool.all('closeAll');
    await Promise.all(servers.map((s) => s.stop()));
  }
};
