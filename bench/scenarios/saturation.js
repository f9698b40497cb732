'use strict';
const dm = require('./dm');
const fixtures = require('../lib/fixtures');
const { medianOf } = require('../lib/util');

/** Kept up: the sends not yet delivered when the window closed are under this many seconds' worth. */
const MAX_BACKLOG_SECONDS = 0.25;
/** Where the sweep stops, so a target that keeps up everywhere still ends. Past about 16,000/s on
 * 2 cores, what the sweep measures is the load clients as much as the servers. */
const MAX_RATE = 64_000;
/** Bisection steps between the last rate kept up with and the first that was not. */
const BISECT_STEPS = 3;
/** Runs at half of saturation; the report gives their median. */
const RUNS_AT_HALF = 3;

/**
 * The latency target is stated "at half of the saturation rate", so the bench finds that rate
 * instead of a person picking it. The dm scenario (3 instances, --pairs pairs) runs at rising
 * offered rates: doubling from --sweep-start, then bisecting between the last rate it kept up
 * with and the first it did not. Kept up means the sends not yet delivered when the measured
 * window closed are under MAX_BACKLOG_SECONDS' worth: below saturation that backlog is the
 * delivery latency (tens of ms), past it the queue grows for the whole window. Deliveries, not
 * acks, because the latency target is on delivery, and near saturation deliveries trail the
 * acks by 25-50 ms (p50). Every send is still acked and delivered in the drain after the
 * window, so losses cannot tell the two apart.
 * Then dm runs RUNS_AT_HALF times at half the saturation rate, and the result is their median,
 * with the saturation rate and the whole sweep (printed as it goes).
 */
module.exports = async function saturation(ctx) {
  const { options, target, db } = ctx;
  if (options.sweepStart > MAX_RATE) throw new Error(`--sweep-start must be at most ${MAX_RATE} sends/s`);
  const sweep = [];
  const dmAt = async (rate, label) => {
    const metrics = await dm({ ...ctx, options: { ...ctx.options, dmRate: rate } });
    // Each run starts new instances: the stopped ones' presence entries would be reaped and
    // announced inside the next run's window (see run.js).
    await fixtures.dropRedisKeys(db.name);
    console.log(
      `    ${target} ${String(rate).padStart(6)}/s: ${label(metrics)}backlog ${metrics.backlogSeconds.toFixed(3)} s, ` +
        `delivery p50 ${metrics.deliveryP50Ms.toFixed(1)} / p99 ${metrics.deliveryP99Ms.toFixed(1)} ms, machine ${metrics.machineBusyPercent.toFixed(0)} % busy`,
    );
    return metrics;
  };
  const keptUp = (metrics) => metrics.backlogSeconds < MAX_BACKLOG_SECONDS && metrics.unacked === 0;
  const runAt = async (rate) => {
    const metrics = await dmAt(rate, (m) => (keptUp(m) ? 'kept up, ' : 'fell behind, '));
    const ok = keptUp(metrics);
    sweep.push({ rate, keptUp: ok, ...metrics });
    return ok;
  };

  let good = 0;
  let bad = 0;
  for (let rate = options.sweepStart; rate <= MAX_RATE; rate *= 2) {
    if (!(await runAt(rate))) {
      bad = rate;
      break;
    }
    good = rate;
  }
  if (good === 0) throw new Error(`${target} fell behind at the first rate, ${options.sweepStart}/s: start lower with --sweep-start`);
  for (let step = 0; bad > 0 && step < BISECT_STEPS; step++) {
    const rate = Math.round((good + bad) / 2);
    if (await runAt(rate)) good = rate;
    else bad = rate;
  }

  const half = Math.round(good / 2);
  const runs = [];
  for (let run = 1; run <= RUNS_AT_HALF; run++) runs.push(await dmAt(half, () => `half of saturation, run ${run}: `));
  return {
    // A lower bound when even MAX_RATE was kept up with.
    saturationPerSec: good,
    saturationIsLowerBound: bad === 0 ? 1 : 0,
    halfRatePerSec: half,
    ...medianOf(runs),
    sweep,
    runsAtHalf: runs,
  };
};
