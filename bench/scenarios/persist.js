'use strict';
const { performance } = require('node:perf_hooks');
const { Client } = require('pg');
const { Histogram } = require('../lib/histogram');
const { sleep, specFor, drain, latency } = require('../lib/util');
const { commandCpuMicros, machineBusyWindow } = require('../lib/proc-stats');

/** Relay's default DATABASE_POOL_SIZE: the baseline gets as many connections as Relay may use. */
const BASELINE_CONNECTIONS = 10;

/**
 * Relay: `senders` closed-loop clients on one instance, each in its own 2-member group (so
 * the row lock of one conversation does not serialise them): acked durable messages/s.
 * Baseline ("reference" column): single-row autocommit INSERTs into a table shaped like
 * `messages`, closed loop on BASELINE_CONNECTIONS connections, same database, same run.
 */
module.exports = async function persist(ctx) {
  return ctx.target === 'relay' ? relayPersist(ctx) : insertBaseline(ctx);
};

/** CPU of everything a send touches on this machine, so the report shows what limits the rate. */
function cpuOfEverything(server, pool) {
  return { relay: server.cpuMicros(), postgres: commandCpuMicros('postgres'), redis: commandCpuMicros('redis-server'), clients: pool.cpuMicros() };
}

async function relayPersist({ options, startServers, createUsers, createGroup, pool, recordAllocations }) {
  const [server] = await startServers(1);
  try {
    const users = await createUsers(options.senders * 2, 'persist');
    const specs = [];
    for (let i = 0; i < options.senders; i++) {
      const conversationId = await createGroup([users[2 * i], users[2 * i + 1]], [server]);
      specs.push(specFor(users[2 * i], server, { conversationId }));
    }
    await pool.connect(specs);
    if (options.warmup > 0) {
      await pool.all('closedLoop', { durationMs: options.warmup * 1000 });
      await drain(pool, (t) => t.unacked === 0);
    }
    await pool.all('reset');
    const stopRecording = await recordAllocations([server], 'persist');
    const cpuBefore = cpuOfEverything(server, pool);
    const machineBusy = machineBusyWindow();
    const started = Date.now();
    await pool.all('closedLoop', { durationMs: options.duration * 1000 });
    const windowMs = Date.now() - started;
    const total = await drain(pool, (t) => t.unacked === 0);
    const busyPercent = machineBusy();
    const cpuAfter = cpuOfEverything(server, pool);
    await stopRecording();
    const perMessage = (part) => (cpuAfter[part] - cpuBefore[part]) / total.acked;
    return {
      ackedPerSec: total.acked / (windowMs / 1000),
      ...latency('ack', total.ack),
      cpuMicrosPerMessage: perMessage('relay'),
      serverCpuPercent: ((cpuAfter.relay - cpuBefore.relay) / (windowMs * 1000)) * 100,
      // Where the rest of the machine went, per acked message: the rate's ceiling on this box.
      postgresCpuMicrosPerMessage: perMessage('postgres'),
      redisCpuMicrosPerMessage: perMessage('redis'),
      clientCpuMicrosPerMessage: perMessage('clients'),
      machineBusyPercent: busyPercent,
      errors: total.errors,
    };
  } finally {
    await pool.all('closeAll');
    await server.stop();
  }
}

async function insertBaseline({ options, db }) {
  const setup = new Client({ connectionString: db.url });
  await setup.connect();
  await setup.query(`CREATE TABLE IF NOT EXISTS bench_inserts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, conversation_id uuid NOT NULL, seq bigint NOT NULL,
    sender_id uuid NOT NULL, body text NOT NULL, client_msg_id text, created_at timestamptz NOT NULL DEFAULT now())`);
  await setup.end();
  const clients = await Promise.all(
    Array.from({ length: BASELINE_CONNECTIONS }, async () => {
      const c = new Client({ connectionString: db.url });
      await c.connect();
      return c;
    }),
  );
  const histogram = new Histogram();
  const body = `${'x'.repeat(64)}`;
  let inserted = 0;
  let n = 0;
  const end = performance.now() + options.duration * 1000;
  const started = performance.now();
  await Promise.all(
    clients.map(async (c, lane) => {
      while (performance.now() < end) {
        const t = performance.now();
        await c.query(
          'INSERT INTO bench_inserts (conversation_id, seq, sender_id, body, client_msg_id) VALUES ($1, $2, $3, $4, $5)',
          ['00000000-0000-4000-8000-00000000000' + (lane % 10), ++n, '00000000-0000-4000-8000-000000000001', body, `b.${n}`],
        );
        histogram.record(performance.now() - t);
        inserted++;
      }
    }),
  );
  const windowMs = performance.now() - started;
  await Promise.all(clients.map((c) => c.end()));
  await sleep(100);
  return { ackedPerSec: inserted / (windowMs / 1000), ...latency('ack', histogram), errors: 0 };
}
