'use strict';
/**
 * The load-client side of the `slow` scenario (bench/scenarios/slow.js), kept apart from the
 * other scenarios' hot path. Two kinds of client take part:
 * - `slow` members stop reading when told (ws.pause(): the TCP receive window fills, then the
 *   server's send buffer, then Relay's own unsent buffer). Their frames are kept out of the
 *   shared `stats`, which then describe the healthy members only. Each one remembers the seqs it
 *   holds per conversation, to check its catch-up after it reconnects and syncs.
 * - the `firehose` sender writes large messages to a group of the slow members only, so their
 *   buffers fill in seconds while the healthy members' load stays the plain fanout.
 */
const WebSocket = require('ws');

const SYNC_TIMEOUT_MS = 60_000;
const MAX_SYNC_ATTEMPTS = 5;

module.exports = function slowConsumerClient({ clients, connectOne, schedule, now }) {
  const held = new Map(); // userId -> Map(conversationId -> Set(seq))
  let counters = freshCounters();
  let lastSlowFrameAt = 0;
  let active = false; // set by slowReset: the other scenarios' frames pass straight through

  function freshCounters() {
    return { presenceToHealthy: 0, firehoseErrors: 0, timeline: {} };
  }

  /** Per second of receive time (epoch seconds): healthy members' worst delivery latency and presence frames. */
  function onHealthyFrame(frame) {
    // Each slow member cut off (and back) is a presence change for all of its contacts.
    if (frame.event === 'presence') counters.presenceToHealthy++;
    const received = now();
    const second = Math.floor(received / 1000);
    const slot = (counters.timeline[second] ??= { maxMs: 0, presence: 0 });
    if (frame.event === 'message') slot.maxMs = Math.max(slot.maxMs, received - parseFloat(frame.data.body));
    else if (frame.event === 'presence') slot.presence++;
  }

  function seqsOf(userId, conversationId) {
    let conversations = held.get(userId);
    if (!conversations) held.set(userId, (conversations = new Map()));
    let seqs = conversations.get(conversationId);
    if (!seqs) conversations.set(conversationId, (seqs = new Set()));
    return seqs;
  }

  /** Handles the frames of this scenario's own clients; true when the frame was theirs. */
  function onFrame(client, frame) {
    if (client.firehose) {
      if (frame.event === 'error') counters.firehoseErrors++;
      return true;
    }
    if (!client.slow) {
      if (active) onHealthyFrame(frame);
      return false;
    }
    lastSlowFrameAt = now();
    if (frame.event === 'message') {
      seqsOf(client.userId, frame.data.conversationId).add(frame.data.seq);
      if (client.sync) client.sync.streamed++;
    } else if (frame.event === 'sync_done' && client.sync) {
      client.sync.finish(frame.data.conversations);
    } else if (frame.event === 'error' && client.sync) {
      client.sync.finish(null, `error ${frame.data.code}`);
    }
    return true;
  }

  /** Highest seq up to which every entry is held (the delivery contract's cursor). */
  function cursorOf(seqs) {
    let cursor = 0;
    while (seqs.has(cursor + 1)) cursor++;
    return cursor;
  }

  function cursorsOf(userId) {
    return Object.fromEntries([...(held.get(userId) ?? [])].map(([id, seqs]) => [id, cursorOf(seqs)]));
  }

  /**
   * One `sync` with this client's cursors. Resolves with sync_done's lastSeqs, or with why not:
   * the socket closed, an error came, or the timeout.
   */
  function syncOnce(client) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(null, 'timeout'), SYNC_TIMEOUT_MS);
      const onClose = (code) => finish(null, `closed ${code}`);
      function finish(lastSeqs, failure) {
        clearTimeout(timer);
        client.ws.off('close', onClose);
        const streamed = client.sync.streamed;
        client.sync = null;
        resolve({ streamed, lastSeqs, failure });
      }
      client.sync = { streamed: 0, finish };
      client.ws.once('close', onClose);
      client.ws.send(JSON.stringify({ event: 'sync', data: { cursors: cursorsOf(client.userId) } }));
    });
  }

  /**
   * What a client following the delivery contract does: (re)connect, sync, and on a drop
   * reconnect and sync again. Counts what it streamed and, at the end, every seq still missing.
   */
  async function catchUpOne(index) {
    const { userId } = clients[index];
    const initialCursors = cursorsOf(userId);
    const started = now();
    const result = { reconnects: 0, attempts: 0, streamed: 0, expected: 0, missing: 0, lastSeqs: null, failures: [] };
    while (!result.lastSeqs && result.attempts < MAX_SYNC_ATTEMPTS) {
      let client = clients[index];
      if (client.ws.readyState !== WebSocket.OPEN) {
        const fresh = await connectOne({ ...client, ws: undefined, sync: null }, undefined);
        if (!fresh.client) return { ...result, error: fresh.error };
        clients[index] = client = fresh.client;
        result.reconnects++;
      }
      result.attempts++;
      const attempt = await syncOnce(client);
      result.streamed += attempt.streamed;
      result.lastSeqs = attempt.lastSeqs;
      if (attempt.failure) result.failures.push(attempt.failure);
    }
    for (const [id, lastSeq] of Object.entries(result.lastSeqs ?? {})) {
      result.expected += lastSeq - (initialCursors[id] ?? 0);
      const seqs = seqsOf(userId, id);
      for (let seq = 1; seq <= lastSeq; seq++) if (!seqs.has(seq)) result.missing++;
    }
    return { ...result, ms: now() - started };
  }

  const commands = {
    slowReset() {
      active = true;
      counters = freshCounters();
      return {};
    },

    slowCollect() {
      return { ...counters };
    },

    /** The slow members stop reading; a close can only be seen once they read again. */
    slowPause() {
      const slow = clients.filter((c) => c.slow);
      for (const client of slow) {
        client.ws.once('close', (code) => (client.closeCode = code));
        client.ws.pause();
      }
      return { paused: slow.length };
    },

    /**
     * The slow members read again: what the kernel buffered arrives, then, for a socket the
     * server cut off, the end of the connection. Waits until no slow frame came for `quietMs`.
     */
    async slowResume({ quietMs = 1000, maxMs = 15_000 }) {
      const slow = clients.filter((c) => c.slow);
      const started = now();
      lastSlowFrameAt = started;
      for (const client of slow) client.ws.resume();
      while (now() - lastSlowFrameAt < quietMs && now() - started < maxMs) await new Promise((r) => setTimeout(r, 100));
      const closeCodes = {};
      for (const client of slow) {
        const key = client.ws.readyState === WebSocket.OPEN ? 'open' : String(client.closeCode ?? client.ws.readyState);
        closeCodes[key] = (closeCodes[key] ?? 0) + 1;
      }
      return { closeCodes };
    },

    /** Every slow member reconnects if it was cut off and syncs, as the delivery contract asks. */
    async slowCatchUp() {
      const started = now();
      const indexes = clients.flatMap((client, index) => (client.slow ? [index] : []));
      const results = await Promise.all(indexes.map(catchUpOne));
      active = false;
      const sum = (key) => results.reduce((n, r) => n + r[key], 0);
      return {
        clients: results.length,
        synced: results.filter((r) => r.lastSeqs).length,
        reconnects: sum('reconnects'),
        attempts: sum('attempts'),
        streamed: sum('streamed'),
        expected: sum('expected'),
        missing: sum('missing'),
        errors: results.filter((r) => r.error).map((r) => r.error),
        failedSyncs: results.flatMap((r) => r.failures),
        slowestMs: Math.max(0, ...results.map((r) => r.ms ?? 0)),
        elapsedMs: now() - started,
      };
    },

    /** Large messages at a fixed rate from this worker's firehose sender, if it holds one. */
    async firehoseSend({ conversationId, rate, durationMs, bodyChars }) {
      const client = clients.find((c) => c.firehose);
      if (!client) return { sent: 0 };
      const pad = 'x'.repeat(bodyChars - 20);
      const start = now() + 10;
      let sent = 0;
      await schedule(start, 1000 / rate, start + durationMs, (scheduled) => {
        if (client.ws.readyState !== WebSocket.OPEN) return;
        const body = `${scheduled.toFixed(3)}|${pad}`;
        client.ws.send(JSON.stringify({ event: 'send_message', data: { conversationId, body, clientMsgId: `fh.${sent}.${scheduled}` } }));
        sent++;
      });
      return { sent };
    },
  };

  return { onFrame, commands };
};
