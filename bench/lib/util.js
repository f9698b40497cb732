'use strict';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function median(values) {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median of each numeric metric over several runs (other fields, such as a sweep's steps, stay in the runs). */
function medianOf(runs) {
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r).filter((k) => typeof r[k] === 'number')))];
  return Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r[k]))]));
}

/** Connection specs for one target: Relay offers the token, the reference gets ?user=. */
function specFor(user, server, extra = {}) {
  return { url: server.wsUrl, token: user.token, userId: user.id, ...extra };
}

/** Polls the workers until `done(total)` or `timeoutMs`; returns the last totals. */
async function drain(pool, done, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  let total = await pool.collect();
  while (!done(total) && Date.now() < deadline) {
    await sleep(250);
    total = await pool.collect();
  }
  return total;
}

function latency(prefix, histogram) {
  const s = histogram.summary();
  return { [`${prefix}P50Ms`]: s.p50, [`${prefix}P99Ms`]: s.p99, [`${prefix}MaxMs`]: s.max };
}

module.exports = { sleep, median, medianOf, specFor, drain, latency };
