'use strict';
/**
 * Preloaded into every server the bench starts (`node --expose-gc -r bench/server-probe.js`),
 * Relay included, so heap can be measured without changing src/ or attaching an inspector.
 * It answers the orchestrator over the IPC channel the bench opens; without one it does nothing.
 * With `--alloc-profile`, it also records what the measured window allocates (V8's sampling heap
 * profiler through an in-process inspector session, counting objects that die young too, which
 * is what drives scavenges) and writes it as a .heapprofile.
 */
const { writeFileSync } = require('node:fs');
const { Session } = require('node:inspector');
const { performance } = require('node:perf_hooks');

if (typeof process.send === 'function') {
  let lastElu = performance.eventLoopUtilization();
  let session;
  const answer = (request, fields) => process.send({ probe: request.probe, id: request.id, ...fields });
  process.on('message', (request) => {
    if (request?.probe === 'stats') {
      if (request.gc && typeof global.gc === 'function') {
        global.gc();
        global.gc();
      }
      const elu = performance.eventLoopUtilization(lastElu);
      lastElu = performance.eventLoopUtilization();
      answer(request, { memory: process.memoryUsage(), eventLoopUtilization: elu.utilization });
    } else if (request?.probe === 'alloc-start') {
      session = new Session();
      session.connect();
      const sampling = { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true };
      session.post('HeapProfiler.startSampling', sampling, (error) => answer(request, { error: error?.message }));
    } else if (request?.probe === 'alloc-stop' && session) {
      session.post('HeapProfiler.stopSampling', (error, result) => {
        if (!error) writeFileSync(request.file, JSON.stringify(result.profile));
        session.disconnect();
        session = undefined;
        answer(request, { error: error?.message });
      });
    }
  });
  // The IPC channel must not keep a server alive that would otherwise exit.
  process.channel?.unref();
}
