'use strict';

/**
 * Reads Relay's own counters of relayed envelopes from /metrics, so the bench can show where
 * each message travelled through Redis. The reference server has no such endpoint: null.
 */
async function envelopeCounts(server) {
  if (server.kind !== 'relay') return null;
  const text = await fetch(`${server.httpUrl}/metrics`).then((response) => response.text());
  const counts = { received: 0, published: 0 };
  for (const line of text.split('\n')) {
    const match = /^relay_envelopes_(received|published)_total\{[^}]*\} (\d+(?:\.\d+)?)$/.exec(line);
    if (match) counts[match[1]] += Number(match[2]);
  }
  return counts;
}

/** Envelopes each instance received (and published in all) between two readings. */
function envelopeDelta(before, after) {
  if (before.some((counts) => counts === null)) return null;
  return {
    receivedPerInstance: after.map((counts, i) => counts.received - before[i].received),
    published: after.reduce((sum, counts, i) => sum + counts.published - before[i].published, 0),
  };
}

/**
 * Totals of some Relay counters, each summed over its series whose labels contain the given
 * text: `{cutOffs: ['relay_slow_consumer_disconnects_total', '']}`. Null for the reference.
 */
async function counterTotals(server, wanted) {
  if (server.kind !== 'relay') return null;
  const text = await fetch(`${server.httpUrl}/metrics`).then((response) => response.text());
  const totals = Object.fromEntries(Object.keys(wanted).map((key) => [key, 0]));
  for (const line of text.split('\n')) {
    const match = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match) continue;
    for (const [key, [name, labels]] of Object.entries(wanted)) {
      if (match[1] === name && (match[2] ?? '').includes(labels)) totals[key] += Number(match[3]);
    }
  }
  return totals;
}

module.exports = { envelopeCounts, envelopeDelta, counterTotals };
