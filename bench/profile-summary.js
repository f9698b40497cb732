'use strict';
/**
 * Summarises a V8 profile from the bench, so a bottleneck can be named with evidence:
 * a .cpuprofile (`--profile`): self time by package and by function;
 * a .heapprofile (`--alloc-profile`): bytes allocated, by package and by function.
 * Usage: node bench/profile-summary.js FILE [TOP]
 */
const { readFileSync } = require('node:fs');

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));

function where(callFrame) {
  const url = callFrame.url || '(native)';
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.includes('/dist/') ? 'relay (dist)' : url.startsWith('node:') ? 'node core' : url);
  return { fn: `${callFrame.functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${callFrame.lineNumber + 1}`, pkg };
}

/** Self cost per node id -> totals by function and by package. */
function tally(selfCost, nodeById) {
  const byFn = new Map();
  const byPkg = new Map();
  for (const [id, cost] of selfCost) {
    const { fn, pkg } = where(nodeById.get(id).callFrame);
    byFn.set(fn, (byFn.get(fn) ?? 0) + cost);
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + cost);
  }
  return { byFn, byPkg };
}

function print(title, byPkg, byFn, total) {
  const pct = (n) => `${((n / total) * 100).toFixed(1).padStart(5)} %`;
  console.log(`\n${title} by package:`);
  for (const [pkg, n] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${pct(n)}  ${pkg}`);
  console.log(`\n${title} by function:`);
  for (const [fn, n] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(n)}  ${fn}`);
}

if (profile.head) {
  // Sampling heap profile: a call tree whose nodes carry the bytes sampled there.
  const nodeById = new Map();
  const selfBytes = new Map();
  const visit = (node) => {
    nodeById.set(node.id, node);
    if (node.selfSize > 0) selfBytes.set(node.id, node.selfSize);
    node.children.forEach(visit);
  };
  visit(profile.head);
  const total = [...selfBytes.values()].reduce((a, b) => a + b, 0);
  console.log(`${file}: ${(total / 1e6).toFixed(1)} MB allocated (sampled), ${profile.samples.length} samples`);
  const { byFn, byPkg } = tally(selfBytes, nodeById);
  print('bytes allocated', byPkg, byFn, total);
} else {
  const nodeById = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfTicks = new Map();
  for (const id of profile.samples) selfTicks.set(id, (selfTicks.get(id) ?? 0) + 1);
  const total = profile.samples.length;
  const { byFn, byPkg } = tally(selfTicks, nodeById);
  const idle = [...byFn].filter(([fn]) => fn.startsWith('(idle)')).reduce((n, [, t]) => n + t, 0);
  console.log(`${file}: ${total} samples, ${(((total - idle) / total) * 100).toFixed(1)} % busy`);
  print('self time', byPkg, byFn, total);
}
