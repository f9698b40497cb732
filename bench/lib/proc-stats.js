'use strict';
const { readdirSync, readFileSync } = require('node:fs');

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** utime + stime of a process, in microseconds, from /proc/<pid>/stat. */
function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}

/** Resident set size in bytes, from /proc/<pid>/status. */
function rssBytes(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

function sumCpuMicros(pids) {
  return pids.reduce((total, pid) => total + cpuMicros(pid), 0);
}

/**
 * CPU of every process whose command name is `comm` (e.g. all of Postgres's backends and
 * background workers), so a scenario can show where the machine's CPU went, not only Relay's.
 * Processes that start or exit inside a window are partly missed; the services' long-lived
 * processes are what matters here.
 */
function commandCpuMicros(comm) {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === comm) total += cpuMicros(entry);
    } catch {
      // Exited between the listing and the read.
    }
  }
  return total;
}

/** Busy and total jiffies of the whole machine, from the first line of /proc/stat. */
function machineJiffies() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const values = fields.map(Number);
  const idle = values[3] + (values[4] ?? 0);
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Starts a window; the returned function gives the machine's busy share (0-100 %) since then. */
function machineBusyWindow() {
  const start = machineJiffies();
  return () => {
    const end = machineJiffies();
    return ((end.busy - start.busy) / (end.total - start.total)) * 100;
  };
}

module.exports = { cpuMicros, rssBytes, sumCpuMicros, commandCpuMicros, machineBusyWindow };
