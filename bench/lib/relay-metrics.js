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

module.exports = { envelopeCounts, envelopeDelta };
