'use strict';
const { sleep, specFor, drain, latency } = require('../lib/util');
const { counterTotals } = require('../lib/relay-metrics');
const { SubscriberWatch } = require('../lib/redis-subscribers');
const { REDIS_URL } = require('../lib/fixtures');

/**
 * A client that stops reading is cut off once Relay holds 1 MiB unsent for it, but only after
 * the kernel's buffers (about 4 MiB on loopback here) are full too. Fanout frames of a few
 * hundred bytes at 10/s would take minutes to get there, so the slow members also get large
 * messages in a group of their own (the "firehose"), and the healthy members' load stays the
 * plain fanout.
 */
const FIREHOSE_BODY_CHARS = 60_000;
const SERVER_ENV = { MESSAGE_MAX_CHARS: String(FIREHOSE_BODY_CHARS), WS_MAX_PAYLOAD_BYTES: '65536' };
const COUNTERS = {
  cutOffs: ['relay_slow_consumer_disconnects_total', ''],
  subscriberReconnects: ['relay_redis_reconnects_total', 'client="subscriber"'],
};
const SAMPLE_MS = 250;
const MiB = 2 ** 20;

/**
 * The fanout setup (a group of `members` over 2 instances, member 0 sending at `rate`) run
 * twice with the same load: first with every member reading, then with `slow` members that
 * stop reading for the whole window. Compares the healthy members' delivery latency and
 * losses, counts the cut-offs, follows the servers' RSS and Relay's Redis subscribers, then
 * lets the slow members read again, reconnect and sync, and checks that they hold every entry.
 */
module.exports = async function slow({ target, options, startServers, createUsers, createGroup, pool }) {
  if (target !== 'relay') {
    console.log('  slow: Relay only (the reference server has no slow-consumer cut-off and no catch-up)');
    return {};
  }
  if (options.slow > options.members - 2) throw new Error('--slow must leave at least one healthy receiver in --members');
  const servers = await startServers(2, SERVER_ENV);
  const watch = new SubscriberWatch(REDIS_URL, servers.map((s) => s.pid));
  try {
    const users = await createUsers(options.members + 1, 'slow');
    const members = users.slice(0, options.members);
    const firehoseSender = users[options.members];
    // Members 1..slow: consecutive members alternate over the instances and the workers.
    const isSlow = (i) => i >= 1 && i <= options.slow;
    const group = {
      conversationId: await createGroup(members, servers),
      firehoseId: await createGroup([firehoseSender, ...members.filter((_, i) => isSlow(i))], servers),
      senderId: members[0].id,
      healthyReceivers: options.members - 1 - options.slow,
    };
    const specs = members.map((u, i) => specFor(u, servers[i % servers.length], { slow: isSlow(i) }));
    specs.push(specFor(firehoseSender, servers[0], { firehose: true }));
    const connect = await pool.connect(specs);
    if (connect.failed > 0) throw new Error(`slow: ${connect.failed} connections failed; the accounting needs every member`);
    await sleep(1000);
    const subscribers = await watch.start();
    const countersBefore = await totals(servers);

    const baseline = await phase({ options, pool, servers, watch, group });
    await pool.all('slowPause');
    const withSlow = await phase({ options, pool, servers, watch, group });

    const resume = await pool.all('slowResume', {});
    const closeCodes = {};
    for (const { closeCodes: codes } of resume) for (const [code, n] of Object.entries(codes)) closeCodes[code] = (closeCodes[code] ?? 0) + n;
    const catchUpSampler = sample(servers, watch, Date.now(), (await totals(servers)).cutOffs);
    const catchUpParts = await pool.all('slowCatchUp');
    const catchUpSamples = await catchUpSampler.stop();
    const catchUp = sumOf(catchUpParts);
    for (const error of catchUpParts.flatMap((part) => part.errors).slice(0, 3)) console.warn(`  slow: a reconnect failed: ${error}`);
    const failedSyncs = catchUpParts.flatMap((part) => part.failedSyncs);
    if (failedSyncs.length > 0) console.warn(`  slow: ${failedSyncs.length} syncs ended without sync_done (then retried): ${[...new Set(failedSyncs)].join(', ')}`);
    const countersAfter = await totals(servers);
    const subscribersDropped = await watch.dropped();
    console.log(`  slow: slow members after resuming, by close code: ${JSON.stringify(closeCodes)}`);
    console.log('  slow: per second of each window, healthy members\' worst delivery latency in ms [presence frames p, cut-offs c]:');
    console.log(`    baseline:  ${baseline.timeline}\n    with slow: ${withSlow.timeline}`);

    return {
      members: options.members,
      slowMembers: options.slow,
      healthyReceivers: group.healthyReceivers,
      sent: withSlow.sent,
      firehoseSentPerSec: withSlow.firehoseSent / (withSlow.windowMs / 1000),
      ...latency('baselineDelivery', baseline.total.delivery),
      ...latency('withSlowDelivery', withSlow.total.delivery),
      baselineLosses: baseline.losses,
      withSlowLosses: withSlow.losses,
      baselineErrors: baseline.total.errors,
      withSlowErrors: withSlow.total.errors,
      firehoseErrors: baseline.firehoseErrors + withSlow.firehoseErrors,
      baselineServerCpuPercent: baseline.serverCpuPercent,
      withSlowServerCpuPercent: withSlow.serverCpuPercent,
      baselineMaxEventLoopUtilization: baseline.maxElu,
      withSlowMaxEventLoopUtilization: withSlow.maxElu,
      presenceFramesToHealthy: withSlow.presenceToHealthy,
      baselineCutOffs: baseline.cutOffs,
      slowCutOffByServer: withSlow.cutOffs,
      lastCutOffAfterS: withSlow.lastCutOffAfterS,
      slowClosed1006: closeCodes['1006'] ?? 0,
      slowClosedOtherCode: Object.entries(closeCodes).reduce((n, [code, k]) => n + (code === '1006' || code === 'open' ? 0 : k), 0),
      slowStillOpen: closeCodes.open ?? 0,
      rssBeforeMiB: baseline.rssBefore / MiB,
      baselineRssPeakMiB: baseline.rssPeak / MiB,
      withSlowRssPeakMiB: withSlow.rssPeak / MiB,
      rssAfterMiB: withSlow.rssAfter / MiB,
      redisSubscribers: subscribers,
      redisSubscribersDropped: subscribersDropped,
      redisSubscriberReconnects: countersAfter.subscriberReconnects - countersBefore.subscriberReconnects,
      redisSubscriberPeakOmemBytes: Math.max(baseline.peakOmem, withSlow.peakOmem),
      catchUpSynced: catchUp.synced,
      catchUpReconnects: catchUp.reconnects,
      catchUpSyncAttempts: catchUp.attempts,
      catchUpCutOffByServer: catchUpSamples.cutOffs,
      catchUpExpected: catchUp.expected,
      catchUpStreamed: catchUp.streamed,
      catchUpMissing: catchUp.missing,
      catchUpUnfinished: options.slow - catchUp.synced,
      catchUpSeconds: Math.max(...catchUpParts.map((part) => part.elapsedMs)) / 1000,
      catchUpRssPeakMiB: catchUpSamples.rssPeak / MiB,
    };
  } finally {
    watch.close();
    await pool.all('closeAll');
    await Promise.all(servers.map((s) => s.stop()));
  }
};

/** One measured window of fanout + firehose, then a drain of the healthy members' deliveries. */
async function phase({ options, pool, servers, watch, group }) {
  await pool.all('reset');
  await pool.all('slowReset');
  await Promise.all(servers.map((s) => s.stats(false)));
  const countersBefore = await totals(servers);
  const cpuBefore = servers.map((s) => s.cpuMicros());
  const rssBefore = rssOf(servers);
  const started = Date.now();
  const sampler = sample(servers, watch, started, countersBefore.cutOffs);
  const durationMs = options.duration * 1000;
  const [{ sent }, firehose] = await Promise.all([
    pool.workers[0].call('rateSend', { userId: group.senderId, conversationId: group.conversationId, rate: options.rate, durationMs }),
    pool.all('firehoseSend', { conversationId: group.firehoseId, rate: options.slowRate, durationMs, bodyChars: FIREHOSE_BODY_CHARS }),
  ]);
  const windowMs = Date.now() - started;
  const expected = sent * group.healthyReceivers;
  const total = await drain(pool, (t) => t.delivered >= expected && t.acked >= sent, 10_000);
  const samples = await sampler.stop();
  const cpu = servers.reduce((sum, s, i) => sum + s.cpuMicros() - cpuBefore[i], 0);
  const elu = await Promise.all(servers.map((s) => s.stats(false)));
  const slowParts = await pool.all('slowCollect');
  const slowCounts = sumOf(slowParts);
  return {
    sent,
    firehoseSent: sumOf(firehose).sent,
    windowMs,
    total,
    losses: expected - total.delivered,
    serverCpuPercent: (cpu / (windowMs * 1000)) * 100,
    maxElu: Math.max(...elu.map((e) => e.eventLoopUtilization)),
    presenceToHealthy: slowCounts.presenceToHealthy,
    firehoseErrors: slowCounts.firehoseErrors,
    cutOffs: samples.cutOffs,
    lastCutOffAfterS: samples.lastCutOffAfterMs === null ? null : samples.lastCutOffAfterMs / 1000,
    rssBefore,
    rssPeak: samples.rssPeak,
    rssAfter: rssOf(servers),
    peakOmem: watch.peakOmem,
    timeline: timeline(slowParts, samples.cutOffsBySecond, started),
  };
}

/** "second: worst healthy latency ms [presence frames p, cut-offs c]", one entry per second of the phase. */
function timeline(workerParts, cutOffsBySecond, started) {
  const seconds = {};
  for (const { timeline: part } of workerParts) {
    for (const [epochSecond, slot] of Object.entries(part)) {
      const s = (seconds[Number(epochSecond) - Math.floor(started / 1000)] ??= { maxMs: 0, presence: 0 });
      s.maxMs = Math.max(s.maxMs, slot.maxMs);
      s.presence += slot.presence;
    }
  }
  return Object.entries(seconds)
    .sort(([a], [b]) => a - b)
    .map(([second, { maxMs, presence }]) => {
      const extras = [presence && `${presence}p`, cutOffsBySecond[second] && `${cutOffsBySecond[second]}c`].filter(Boolean);
      return `${second}:${Math.round(maxMs)}${extras.length ? `[${extras.join(',')}]` : ''}`;
    })
    .join(' ');
}

/**
 * Every SAMPLE_MS until stopped: the servers' RSS, the Redis subscribers' output buffers and
 * Relay's cut-off counter (to tell when the last slow member was cut off).
 */
function sample(servers, watch, started, cutOffsBefore) {
  let rssPeak = rssOf(servers);
  let cutOffs = 0;
  let lastCutOffAfterMs = null;
  const cutOffsBySecond = {};
  let busy = null;
  const tick = async () => {
    const now = (await totals(servers)).cutOffs - cutOffsBefore;
    if (now > cutOffs) {
      const second = Math.floor(Date.now() / 1000) - Math.floor(started / 1000); // aligned with timeline()
      cutOffsBySecond[second] = (cutOffsBySecond[second] ?? 0) + now - cutOffs;
      [cutOffs, lastCutOffAfterMs] = [now, Date.now() - started];
    }
    await watch.sample();
  };
  const timer = setInterval(() => {
    rssPeak = Math.max(rssPeak, rssOf(servers));
    busy ??= tick()
      .catch((error) => console.warn(`  slow: sample failed: ${error.message}`))
      .finally(() => (busy = null));
  }, SAMPLE_MS);
  return {
    async stop() {
      clearInterval(timer);
      await busy;
      await tick();
      return { rssPeak, cutOffs, lastCutOffAfterMs, cutOffsBySecond };
    },
  };
}

const rssOf = (servers) => servers.reduce((sum, s) => sum + s.rssBytes(), 0);

async function totals(servers) {
  return sumOf(await Promise.all(servers.map((s) => counterTotals(s, COUNTERS))));
}

/** Sums each numeric field over the workers' (or instances') answers. */
function sumOf(parts) {
  const sum = {};
  for (const part of parts) for (const [key, value] of Object.entries(part)) if (typeof value === 'number') sum[key] = (sum[key] ?? 0) + value;
  return sum;
}
