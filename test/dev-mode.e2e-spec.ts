import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { RelayInstance } from './support/relay-instance';
import { WsTestClient } from './support/ws-client';

/** What `npm start` gives on a laptop with nothing configured: embedded Postgres, in-process bus. */
describe('single-instance development mode', () => {
  let dataDir: string;
  let relay: RelayInstance;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'relay-dev-'));
    relay = await RelayInstance.start({ EMBEDDED_DATABASE_DIR: dataDir, LOG_LEVEL: 'log', NODE_ENV: 'development', LOG_FORMAT: 'json' });
  }, 120_000);

  afterAll(async () => {
    await relay?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says clearly which mode it is in', () => {
    expect(relay.logs).toMatch(/DATABASE_URL is not set: using an embedded Postgres/);
    expect(relay.logs).toMatch(/REDIS_URL is not set: using the in-process bus/);
  });

  it('registers, creates a group and delivers a message end to end', async () => {
    const api = new ApiClient(relay.httpUrl);
    const [alice, bob] = [await api.newUser('alice'), await api.newUser('bob')];
    const conversationId = await api.createGroup(alice, 'dev', [bob.id]);
    const sender = await WsTestClient.connect(relay.wsUrl, ['access_token', alice.token]);
    const receiver = await WsTestClient.connect(relay.wsUrl, ['access_token', bob.token]);
    const ack = await sender.sendMessage(conversationId, 'hello from a laptop', 'dev-1');
    expect(ack).toMatchObject({ event: 'message_ack', data: { seq: 1 } });
    expect((await receiver.next('message')).data.body).toBe('hello from a laptop');
    sender.close();
    receiver.close();
  });

  // The embedded database serves every pooled connection from one session, where a statement
  // prepared under the same name by two connections would collide: sends from several devices
  // at once keep several connections busy, and each must still be stored and acked.
  it('stores concurrent sends from several devices, gap-free', async () => {
    const api = new ApiClient(relay.httpUrl);
    const [alice, bob] = [await api.newUser('alice'), await api.newUser('bob')];
    const conversationId = await api.createGroup(alice, 'busy', [bob.id]);
    const devices = await Promise.all([1, 2, 3, 4].map(() => WsTestClient.connect(relay.wsUrl, ['access_token', alice.token])));
    const answers = await Promise.all(
      devices.flatMap((device, d) => Array.from({ length: 10 }, (_, i) => device.sendMessage(conversationId, `m${d}.${i}`, `busy-${d}-${i}`))),
    );
    expect(answers.map((frame) => frame.event)).toEqual(Array(40).fill('message_ack'));
    expect(answers.map((frame) => frame.data.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    devices.forEach((device) => device.close());
  });

  it('refuses a second process on the same embedded data directory', async () => {
    await expect(RelayInstance.start({ EMBEDDED_DATABASE_DIR: dataDir })).rejects.toThrow(/in use by process/);
  });
});
