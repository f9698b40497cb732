'use strict';
/**
 * Preloaded into every server the bench starts (`node --expose-gc -r bench/server-probe.js`),
 * Relay included, so heap can be measured without changing src/ or attaching an inspector.
 * It answers the orchestrator over the IPC channel the bench opens; without one it does nothing.
 */
const { performance } = require('node:perf_hooks');

if (typeof process.send === 'function') {
  let lastElu = performance.eventLoopUtilization();
  process.on('message', (request) => {
    if (!request || request.probe !== 'stats') return;
    if (request.gc && typeof global.gc === 'function') {
      global.gc();
      global.gc();
    }
    const elu = performance.eventLoopUtilization(lastElu);
    lastElu = performance.eventLoopUtilization();
    process.send({ probe: 'stats', id: request.id, memory: process.memoryUsage(), eventLoopUtilization: elu.utilization });
  });
  // The IPC channel must not keep a server alive that would otherwise exit.
  process.channel?.unref();
}
