'use strict';
/**
 * Summarises a V8 .cpuprofile (from `npm run bench -- --profile`): self time by function and
 * by package, so a bottleneck can be named with evidence. Usage: node bench/profile-summary.js FILE [TOP]
 */
const { readFileSync } = require('node:fs');

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfTicks = new Map();
for (const id of profile.samples) selfTicks.set(id, (selfTicks.get(id) ?? 0) + 1);
const total = profile.samples.length;

function where(node) {
  const url = node.callFrame.url || '(native)';
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.includes('/dist/') ? 'relay (dist)' : url.startsWith('node:') ? 'node core' : url);
  return { fn: `${node.callFrame.functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${node.callFrame.lineNumber + 1}`, pkg };
}

const byFn = new Map();
const byPkg = new Map();
for (const [id, ticks] of selfTicks) {
  const { fn, pkg } = where(byId.get(id));
  byFn.set(fn, (byFn.get(fn) ?? 0) + ticks);
  byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + ticks);
}
const pct = (n) => `${((n / total) * 100).toFixed(1).padStart(5)} %`;
const idle = [...byFn].filter(([fn]) => fn.startsWith('(idle)')).reduce((n, [, t]) => n + t, 0);
console.log(`${file}: ${total} samples, ${pct(total - idle)} busy`);
console.log('\nself time by package:');
for (const [pkg, n] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${pct(n)}  ${pkg}`);
console.log('\nself time by function:');
for (const [fn, n] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(n)}  ${fn}`);
