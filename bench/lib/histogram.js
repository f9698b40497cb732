'use strict';
/**
 * A log-bucketed latency histogram (1% resolution), cheap to record in the load clients and
 * to merge in the orchestrator; percentiles are accurate to about 1%.
 */
const GROWTH = Math.log(1.01);
const FLOOR_MS = 0.01;

class Histogram {
  constructor() {
    this.buckets = new Map();
    this.count = 0;
    this.max = 0;
    this.sum = 0;
  }

  record(ms) {
    const value = Math.max(ms, FLOOR_MS);
    const bucket = Math.floor(Math.log(value / FLOOR_MS) / GROWTH);
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + 1);
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  merge(other) {
    for (const [bucket, n] of other.buckets) this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + n);
    this.count += other.count;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
    return this;
  }

  percentile(p) {
    if (this.count === 0) return null;
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (const bucket of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(bucket);
      if (seen >= rank) return Math.min(FLOOR_MS * Math.exp((bucket + 0.5) * GROWTH), this.max);
    }
    return this.max;
  }

  summary() {
    return {
      count: this.count,
      p50: this.percentile(50),
      p99: this.percentile(99),
      max: this.count ? this.max : null,
      mean: this.count ? this.sum / this.count : null,
    };
  }

  toJSON() {
    return { buckets: [...this.buckets], count: this.count, max: this.max, sum: this.sum };
  }

  static from(json) {
    const h = new Histogram();
    h.buckets = new Map(json.buckets);
    h.count = json.count;
    h.max = json.max;
    h.sum = json.sum;
    return h;
  }
}

module.exports = { Histogram };
