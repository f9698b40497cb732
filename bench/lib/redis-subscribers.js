'use strict';
/**
 * Watches the Redis pub/sub connections of some server processes from Redis's side: CLIENT LIST
 * gives each connection's id and output buffer (`omem`), which Redis compares with its
 * `client-output-buffer-limit pubsub` (32 MiB hard, 8 MiB for 60 s by default) before it
 * drops a slow subscriber. A subscriber dropped and reconnected shows up with a new id.
 * Redis 7.0 counts no such disconnections in INFO, hence the ids.
 *
 * Connections carry no name, so they are matched to a process by their client port, read from
 * /proc/<pid>/fd and /proc/<pid>/net/tcp.
 */
const { readdirSync, readlinkSync, readFileSync, existsSync } = require('node:fs');
const Redis = require('ioredis');

function localPortsToward(pid, remotePort) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports = new Set();
  for (const table of ['tcp', 'tcp6'].map((name) => `/proc/${pid}/net/${name}`).filter(existsSync)) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, remote, , , , , , , inode] = line.trim().split(/\s+/);
      if (inode && inodes.has(inode) && parseInt(remote.split(':').pop(), 16) === remotePort) ports.add(parseInt(local.split(':').pop(), 16));
    }
  }
  return ports;
}

function parseClientList(text) {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => Object.fromEntries(line.split(' ').map((field) => [field.slice(0, field.indexOf('=')), field.slice(field.indexOf('=') + 1)])));
}

class SubscriberWatch {
  constructor(redisUrl, pids) {
    this.redis = new Redis(redisUrl);
    this.redisPort = Number(new URL(redisUrl).port || 6379);
    this.pids = pids;
    this.peakOmem = 0;
  }

  /** The servers' connections that are subscribed to something, as CLIENT LIST reports them. */
  async subscribers() {
    const ports = new Set(this.pids.flatMap((pid) => [...localPortsToward(pid, this.redisPort)]));
    const clients = parseClientList(await this.redis.client('LIST'));
    return clients.filter((c) => ports.has(Number(c.addr.split(':').pop())) && Number(c.sub) + Number(c.psub) + Number(c.ssub) > 0);
  }

  /** Call once before the window: remembers which subscriber connections exist. */
  async start() {
    this.ids = (await this.subscribers()).map((c) => c.id);
    this.peakOmem = 0;
    return this.ids.length;
  }

  /** One sample of the watched subscribers' output buffers (cheap: no /proc walk). */
  async sample() {
    const watched = parseClientList(await this.redis.client('LIST')).filter((c) => this.ids.includes(c.id));
    for (const c of watched) this.peakOmem = Math.max(this.peakOmem, Number(c.omem));
  }

  /** Subscriber connections of the start that are gone now (dropped, whether or not replaced). */
  async dropped() {
    const now = new Set((await this.subscribers()).map((c) => c.id));
    return this.ids.filter((id) => !now.has(id)).length;
  }

  close() {
    this.redis.disconnect();
  }
}

module.exports = { SubscriberWatch };
