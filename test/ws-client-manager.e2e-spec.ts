import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MessageDto } from '../src/chat/dto/message.dto';
import type { RelaySocket } from '../src/gateway/relay-socket';
import { ApiClient, TestUser } from './support/api-client';
import { InProcessInstance, startInProcessInstance } from './support/in-process-instance';
import { createTestDatabase, REDIS_URL, uniqueChannelPrefix } from './support/services';
import { WsTestClient } from './support/ws-client';

/** One open socket: the test's end and the server's end of it. */
interface Device {
  label: string;
  user: TestUser;
  instance: InProcessInstance;
  client: WsTestClient;
  server: RelaySocket;
}

describe('WsClientManager across three instances sharing one Redis', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: InProcessInstance;
  let b: InProcessInstance;
  let c: InProcessInstance;
  const started: InProcessInstance[] = [];
  const devices: Device[] = [];
  let u1: TestUser; // one device on each of A, B and C
  let u2: TestUser; // A and C
  let u3: TestUser; // B only
  let u4: TestUser; // two devices, both on C

  const names = new Map<InProcessInstance, string>();
  let sequence = 0;

  /** Opens a socket and pairs it with the server-side socket it became (found by diffing the registry). */
  async function open(user: TestUser, instance: InProcessInstance, suffix = ''): Promise<Device> {
    const before = new Set(instance.clients.socketsOf(user.id));
    const client = await WsTestClient.connect(instance.wsUrl, ['access_token', user.token]);
    // `ready` is sent after registration, so the new server socket is in the registry by now.
    const added = [...instance.clients.socketsOf(user.id)].filter((socket) => !before.has(socket));
    expect(added).toHaveLength(1);
    return { label: `${user.displayName}@${names.get(instance)}${suffix}`, user, instance, client, server: added[0] };
  }

  /** open(), and the device counts in deliveries() and settle() from now on. */
  async function connect(user: TestUser, instance: InProcessInstance, suffix = ''): Promise<Device> {
    const device = await open(user, instance, suffix);
    devices.push(device);
    return device;
  }

  function deviceOf(user: TestUser, instance: InProcessInstance): Device {
    const found = devices.filter((device) => device.user === user && device.instance === instance);
    expect(found).toHaveLength(1);
    return found[0];
  }

  function message(body: string): MessageDto {
    sequence += 1;
    return {
      id: String(1000 + sequence),
      conversationId: randomUUID(),
      seq: sequence,
      kind: 'message',
      senderId: randomUUID(),
      body,
      targetId: null,
      subjectUserId: null,
      clientMsgId: `c-${sequence}`,
      createdAt: new Date().toISOString(),
      editedAt: null,
      deletedAt: null,
    };
  }

  const tag = (name: string) => `${name}-${randomUUID()}`;

  /**
   * Waits until every socket has received a marker sent with sendToAll from `from`, the
   * instance that made the send under test: its local writes are synchronous and its Redis
   * publisher connection keeps order, so once the marker is everywhere, so is the earlier frame.
   */
  async function settle(from: InProcessInstance): Promise<void> {
    const marker = message(tag('marker'));
    from.clients.sendToAll('message', marker);
    await Promise.all(devices.map((device) => device.client.next('message', (data: MessageDto) => data.body === marker.body)));
  }

  /** How many times each socket received the frame carrying `sent`, keyed by device label. */
  function deliveries(sent: MessageDto): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const device of devices) {
      const received = device.client.frames.filter((frame) => frame.event === 'message' && frame.data.body === sent.body);
      // Each frame must arrive exactly as sent: same event, same payload, nothing added.
      for (const frame of received) expect(frame).toEqual({ event: 'message', data: sent });
      counts[device.label] = received.length;
    }
    return counts;
  }

  /** Bodies of the `message` frames a device received whose body starts with `prefix`, in arrival order. */
  const bodiesReceived = (device: Device, prefix: string) =>
    device.client.framesOf('message').map((data: MessageDto) => data.body ?? '').filter((body) => body.startsWith(prefix));

  /** 1 for the devices in `receivers`, 0 for every other device. */
  function exactlyOnceFor(receivers: Device[]): Record<string, number> {
    return Object.fromEntries(devices.map((device) => [device.label, receivers.includes(device) ? 1 : 0]));
  }

  const devicesOf = (...users: TestUser[]) => devices.filter((device) => users.includes(device.user));

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = { DATABASE_URL: db.url, REDIS_URL, REDIS_CHANNEL_PREFIX: uniqueChannelPrefix() };
    // The first instance runs the migrations alone; started together they would race.
    a = await startInProcessInstance({ ...env, INSTANCE_ID: `wscm-a-${randomUUID()}` });
    started.push(a);
    [b, c] = await Promise.all(
      ['b', 'c'].map(async (name) => {
        const instance = await startInProcessInstance({ ...env, INSTANCE_ID: `wscm-${name}-${randomUUID()}` });
        started.push(instance);
        return instance;
      }),
    );
    names.set(a, 'A').set(b, 'B').set(c, 'C');

    [u1, u2, u3, u4] = await Promise.all([
      new ApiClient(a.url).newUser('u1'),
      new ApiClient(b.url).newUser('u2'),
      new ApiClient(c.url).newUser('u3'),
      new ApiClient(a.url).newUser('u4'),
    ]);
    // Sequential, so each new server-side socket can be told apart from the ones before it.
    await connect(u1, a);
    await connect(u1, b);
    await connect(u1, c);
    await connect(u2, a);
    await connect(u2, c);
    await connect(u3, b);
    await connect(u4, c, '#1');
    await connect(u4, c, '#2');
  });

  afterAll(async () => {
    for (const device of devices) device.client.close();
    await Promise.all(started.map((instance) => instance.close()));
    await db?.drop();
  });

  it('has every device registered on the instance it connected to, and only there', () => {
    for (const device of devices) {
      expect(device.client.ready.data).toMatchObject({ userId: device.user.id, instanceId: device.instance.instanceId });
    }
    expect([a, b, c].map((instance) => instance.clients.connectionCount)).toEqual([2, 2, 4]);
    expect(a.clients.socketsOf(u3.id).size).toBe(0);
    expect(c.clients.socketsOf(u4.id).size).toBe(2);
  });

  it('sendToOne on A reaches every device of that user on A, B and C, and no one else', async () => {
    const sent = message(tag('to-one'));
    a.clients.sendToOne(u1.id, 'message', sent);
    await settle(a);
    expect(deliveries(sent)).toEqual(exactlyOnceFor(devicesOf(u1)));
  });

  it('sendToOne on A reaches a user who has no socket on A', async () => {
    const sent = message(tag('to-one-remote'));
    a.clients.sendToOne(u3.id, 'message', sent);
    await settle(a);
    expect(deliveries(sent)).toEqual(exactlyOnceFor(devicesOf(u3)));
  });

  it('sendToSome([u1, u2]) on B reaches every device of u1 and u2 wherever they are, not u3 or u4', async () => {
    const sent = message(tag('to-some'));
    b.clients.sendToSome([u1.id, u2.id], 'message', sent);
    await settle(b);
    expect(deliveries(sent)).toEqual(exactlyOnceFor(devicesOf(u1, u2)));
  });

  it('sendToAll on C reaches every socket on every instance exactly once', async () => {
    const sent = message(tag('to-all'));
    c.clients.sendToAll('message', sent);
    await settle(c);
    expect(deliveries(sent)).toEqual(exactlyOnceFor(devices));
  });

  it('sendToSome skips the `except` socket but not the same user\'s other devices', async () => {
    const sender = deviceOf(u1, b);
    const sent = message(tag('except-some'));
    b.clients.sendToSome([u1.id, u2.id], 'message', sent, sender.server.connectionId);
    await settle(b);
    expect(deliveries(sent)).toEqual(exactlyOnceFor(devicesOf(u1, u2).filter((device) => device !== sender)));
  });

  it('sendToOne skips the `except` socket even when the user has another device on the same instance', async () => {
    const [first, second] = devicesOf(u4);
    const sent = message(tag('except-one'));
    c.clients.sendToOne(u4.id, 'message', sent, first.server.connectionId);
    await settle(c);
    expect(deliveries(sent)).toEqual(exactlyOnceFor([second]));
  });

  it('delivers each of many interleaved sends from all three instances exactly once', async () => {
    const sends: { sent: MessageDto; receivers: Device[] }[] = [];
    for (let round = 0; round < 5; round += 1) {
      const one = message(tag(`burst-one-${round}`));
      a.clients.sendToOne(u2.id, 'message', one);
      sends.push({ sent: one, receivers: devicesOf(u2) });
      const some = message(tag(`burst-some-${round}`));
      b.clients.sendToSome([u3.id, u4.id], 'message', some);
      sends.push({ sent: some, receivers: devicesOf(u3, u4) });
      const all = message(tag(`burst-all-${round}`));
      c.clients.sendToAll('message', all);
      sends.push({ sent: all, receivers: devices });
    }
    await Promise.all([settle(a), settle(b), settle(c)]);
    for (const { sent, receivers } of sends) {
      expect({ body: sent.body, counts: deliveries(sent) }).toEqual({ body: sent.body, counts: exactlyOnceFor(receivers) });
    }
  });

  it('delivers many frames written to one socket in one turn, replies and live frames interleaved, in order and as one write', async () => {
    const local = deviceOf(u2, a);
    const relayed = deviceOf(u2, c);
    // WsClientManager corks `transport` for the rest of the turn, so it must be the stream ws writes to.
    expect(local.server.transport).toBe((local.server as unknown as { _socket: unknown })._socket);
    const writes = vi.spyOn(local.server.transport, '_writev');
    const prefix = tag('turn');
    const live = Array.from({ length: 200 }, (_, i) => message(`${prefix} live ${i}`));
    const replies = live.map((_, i) => message(`${prefix} reply ${i}`));
    for (const [i, frame] of live.entries()) {
      a.clients.sendToOne(u2.id, 'message', frame);
      a.clients.reply(local.server, 'message', replies[i]);
    }
    await settle(a);
    const writeCalls = writes.mock.calls.length;
    writes.mockRestore();
    // The turn's first frame, its 399 others together, settle()'s marker: not one write per frame.
    expect(writeCalls).toBeGreaterThan(0);
    expect(writeCalls).toBeLessThanOrEqual(3);
    expect(bodiesReceived(local, prefix)).toEqual(live.flatMap((frame, i) => [frame.body, replies[i].body]));
    expect(bodiesReceived(relayed, prefix)).toEqual(live.map((frame) => frame.body));
  });

  it('keeps serving when sockets close or drop in the middle of a turn of writes to them', async () => {
    const closing = await open(u2, a, '#closing');
    const terminated = await open(u2, a, '#terminated');
    const dropped = await open(u2, a, '#dropped');
    const survivor = deviceOf(u2, a);
    const prefix = tag('mid-turn');
    const sent = Array.from({ length: 60 }, (_, i) => message(`${prefix} ${i}`));
    for (const [i, frame] of sent.entries()) {
      // After frames 0-19: a close with 1012, as at shutdown; its frames must still arrive first.
      if (i === 20) closing.server.close(1012, 'Server restarting; reconnect');
      // A cut-off (slow consumer, ban) discards what is corked; the connection dropping under ws does too.
      if (i === 30) terminated.server.terminate();
      if (i === 40) dropped.server.transport.destroy();
      a.clients.sendToOne(u2.id, 'message', frame);
    }
    expect(await closing.client.closed).toMatchObject({ code: 1012 });
    expect(bodiesReceived(closing, prefix)).toEqual(sent.slice(0, 20).map((frame) => frame.body));
    expect((await terminated.client.closed).code).toBe(1006);
    expect((await dropped.client.closed).code).toBe(1006);
    await settle(a);
    expect(bodiesReceived(survivor, prefix)).toEqual(sent.map((frame) => frame.body));
    await vi.waitFor(() => expect([...a.clients.socketsOf(u2.id)]).toEqual([survivor.server]));
  });
});
