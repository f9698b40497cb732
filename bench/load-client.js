'use strict';
/**
 * A load-client process, forked by the orchestrator (bench/run.js) and driven over IPC.
 * It holds many WebSocket clients bound to several 127.0.0.x source addresses, sends on a
 * schedule, and records latencies from the *scheduled* send time (so a stalled server or a
 * late timer shows up as latency instead of silently lowering the offered rate).
 */
const { performance } = require('node:perf_hooks');
const WebSocket = require('ws');
const { Histogram } = require('./lib/histogram');

const now = () => performance.timeOrigin + performance.now();
const BODY_PAD = 'x'.repeat(48);

const workerId = Number(process.env.BENCH_WORKER_ID ?? 0);
const clients = [];
let stats = freshStats();
let nextMsg = 1;
const pendingAcks = new Map(); // clientMsgId -> {scheduled, client}
let onAck = null; // closed-loop hook (persist)
// The slow scenario's own clients (slow members, firehose sender) and IPC commands.
const slowConsumers = require('./lib/slow-consumer-client')({ clients, connectOne, schedule, now });

function freshStats() {
  return { delivered: 0, acked: 0, errors: 0, errorCodes: {}, delivery: new Histogram(), ack: new Histogram() };
}

function connectOne(spec, localAddress) {
  return new Promise((resolve) => {
    const url = spec.token ? spec.url : `${spec.url}?user=${spec.userId}`;
    const ws = spec.token
      ? new WebSocket(url, ['access_token', spec.token], { localAddress, perMessageDeflate: false })
      : new WebSocket(url, { localAddress, perMessageDeflate: false });
    const client = { ...spec, ws };
    const timer = setTimeout(() => finish(new Error('timeout waiting for ready')), 30_000);
    let done = false;
    function finish(error) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) ws.terminate();
      resolve(error ? { error: error.message } : { client });
    }
    ws.on('error', (error) => finish(error));
    ws.on('unexpected-response', (_req, res) => finish(new Error(`HTTP ${res.statusCode}`)));
    ws.on('close', () => finish(new Error('closed before ready')));
    ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      if (frame.event === 'ready') return finish(null);
      onFrame(client, frame);
    });
  });
}

function onFrame(client, frame) {
  if (slowConsumers.onFrame(client, frame)) return;
  const received = now();
  switch (frame.event) {
    case 'message': {
      stats.delivered++;
      stats.delivery.record(received - parseFloat(frame.data.body));
      break;
    }
    case 'message_ack': {
      const pending = pendingAcks.get(frame.data.clientMsgId);
      if (!pending) break;
      pendingAcks.delete(frame.data.clientMsgId);
      stats.acked++;
      stats.ack.record(received - pending.scheduled);
      if (onAck) onAck(client);
      break;
    }
    case 'error': {
      stats.errors++;
      stats.errorCodes[frame.data.code] = (stats.errorCodes[frame.data.code] ?? 0) + 1;
      if (typeof frame.data.ref === 'string') pendingAcks.delete(frame.data.ref);
      if (onAck) onAck(client);
      break;
    }
  }
}

/** One send; the body starts with the scheduled time so every receiver can compute latency. */
function send(client, scheduled, target) {
  if (client.ws.readyState !== WebSocket.OPEN) return;
  const clientMsgId = `w${workerId}.${nextMsg++}`;
  const body = `${scheduled.toFixed(3)}|${BODY_PAD}`;
  pendingAcks.set(clientMsgId, { scheduled });
  const frame = target.participantId
    ? { event: 'send_chat_message_to_participant', data: { participantId: target.participantId, message: body, clientMsgId } }
    : { event: 'send_message', data: { conversationId: target.conversationId, body, clientMsgId } };
  client.ws.send(JSON.stringify(frame));
}

/** Calls tick(scheduledTime) at `intervalMs` steps from `start` until `end`, catching up if late. */
function schedule(start, intervalMs, end, tick) {
  return new Promise((resolve) => {
    let next = start;
    (function loop() {
      const t = now();
      while (next <= t && next < end) {
        tick(next);
        next += intervalMs;
      }
      if (next >= end) return resolve();
      setTimeout(loop, Math.max(0, Math.min(next - now(), 50)));
    })();
  });
}

const commands = {
  async connect({ specs, sourceAddresses, concurrency }) {
    const started = now();
    let failed = 0;
    const errorSamples = [];
    let index = 0;
    async function lane() {
      while (index < specs.length) {
        const i = index++;
        const result = await connectOne(specs[i], sourceAddresses[i % sourceAddresses.length]);
        if (result.client) clients.push(result.client);
        else {
          failed++;
          if (errorSamples.length < 5) errorSamples.push(result.error);
        }
      }
    }
    await Promise.all(Array.from({ length: concurrency }, lane));
    return { connected: specs.length - failed, failed, errorSamples, elapsedMs: now() - started };
  },

  reset() {
    stats = freshStats();
    pendingAcks.clear();
    return {};
  },

  collect() {
    const { delivery, ack, ...counts } = stats;
    return { ...counts, unacked: pendingAcks.size, delivery: delivery.toJSON(), ack: ack.toJSON() };
  },

  /** One sender at a fixed rate (fanout). */
  async rateSend({ userId, conversationId, rate, durationMs }) {
    const client = clients.find((c) => c.userId === userId);
    if (!client) throw new Error(`no client for ${userId}`);
    const start = now() + 10;
    let sent = 0;
    await schedule(start, 1000 / rate, start + durationMs, (scheduled) => {
      send(client, scheduled, { conversationId });
      sent++;
    });
    return { sent };
  },

  /** Every client here sends to its peer at `ratePerClient`/s, phases spread at random (dm). */
  async pairSend({ ratePerClient, durationMs }) {
    const start = now() + 10;
    const interval = 1000 / ratePerClient;
    let sent = 0;
    await Promise.all(
      clients
        .filter((c) => c.peerId)
        .map((client) =>
          schedule(start + Math.random() * interval, interval, start + durationMs, (scheduled) => {
            send(client, scheduled, { participantId: client.peerId });
            sent++;
          }),
        ),
    );
    return { sent };
  },

  /** Closed loop: each client sends its next message as soon as the previous is acked (persist). */
  async closedLoop({ durationMs }) {
    const end = now() + durationMs;
    let sent = 0;
    onAck = (client) => {
      if (now() < end) {
        send(client, now(), { conversationId: client.conversationId });
        sent++;
      }
    };
    for (const client of clients) {
      send(client, now(), { conversationId: client.conversationId });
      sent++;
    }
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    onAck = null;
    return { sent };
  },

  async closeAll() {
    for (const client of clients) client.ws.terminate();
    clients.length = 0;
    return {};
  },
};

Object.assign(commands, slowConsumers.commands);

process.on('message', async ({ id, cmd, args }) => {
  try {
    const result = await commands[cmd](args ?? {});
    process.send({ id, ok: true, result });
  } catch (error) {
    process.send({ id, ok: false, error: error.stack ?? String(error) });
  }
});
process.on('disconnect', () => process.exit(0));
