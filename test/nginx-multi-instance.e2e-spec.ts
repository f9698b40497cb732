import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, TestUser } from './support/api-client';
import { NginxProxy, startNginx } from './support/nginx';
import { RelayInstance } from './support/relay-instance';
import { startTestRelays, TestRelays } from './support/test-relays';
import { WsTestClient } from './support/ws-client';

/** nginx round-robins, so a few reconnects land anywhere; this bounds the search. */
const MAX_CONNECT_ATTEMPTS = 30;

describe('three instances behind nginx (the docker-compose topology)', () => {
  let relays: TestRelays;
  let instances: RelayInstance[];
  let nginx: NginxProxy;
  let api: ApiClient;
  let users: TestUser[];
  const clients: WsTestClient[] = [];
  let groupId: string;

  beforeAll(async () => {
    // All at once on the fresh database, as a deployment starts: the migration lock lets one migrate.
    relays = await startTestRelays({ instances: [1, 2, 3].map((n) => ({ INSTANCE_ID: `nginx-e2e-${n}` })) });
    instances = relays.instances;
    nginx = await startNginx(instances.map((instance) => instance.port));
    api = new ApiClient(nginx.url);
    users = [await api.newUser('alice'), await api.newUser('bob'), await api.newUser('carol')];
    groupId = await api.createGroup(users[0], 'behind nginx', [users[1].id, users[2].id]);
    const taken = new Set<string>();
    for (const user of users) clients.push(await connectToUnusedInstance(user, taken));
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await nginx?.stop();
    await relays?.stop();
  });

  /** Reconnects through nginx until the socket lands on an instance no other user is on. */
  async function connectToUnusedInstance(user: TestUser, taken: Set<string>): Promise<WsTestClient> {
    const seen: string[] = [];
    for (let attempt = 0; attempt < MAX_CONNECT_ATTEMPTS; attempt++) {
      const client = await WsTestClient.connect(nginx.wsUrl, ['access_token', user.token]);
      seen.push(client.instanceId);
      if (!taken.has(client.instanceId)) {
        taken.add(client.instanceId);
        return client;
      }
      client.close();
      await client.closed;
    }
    throw new Error(`no free instance for ${user.displayName} after ${MAX_CONNECT_ATTEMPTS} tries; landed on ${seen.join(', ')}`);
  }

  const seqsOf = (client: WsTestClient): number[] => client.framesOf('message').map((message) => message.seq);

  it('answers REST and /health/ready through nginx, from every instance in turn', async () => {
    const answeredBy = new Set<string>();
    // Round-robin: 12 requests over at most a few nginx workers reach all three instances.
    for (let i = 0; i < 12; i++) {
      const ready = await api.request('GET', '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'ok', checks: { database: 'ok', bus: 'ok' } });
      answeredBy.add(ready.body.instanceId);
    }
    expect([...answeredBy].sort()).toEqual(instances.map((instance) => instance.instanceId).sort());
  });

  it('opens one WebSocket per instance through nginx, subprotocol passed both ways', () => {
    const ids = clients.map((client) => client.instanceId);
    expect(new Set(ids).size).toBe(3);
    expect([...ids].sort()).toEqual(instances.map((instance) => instance.instanceId).sort());
    clients.forEach((client, i) => {
      expect(client.socket.protocol).toBe('access_token');
      expect(client.ready.data.userId).toBe(users[i].id);
    });
  });

  it('relays a message sent on one instance to the clients on the other two', async () => {
    const [alice, bob, carol] = clients;
    const ack = await alice.sendMessage(groupId, 'hello from instance one', 'nginx-m1');
    expect(ack.event).toBe('message_ack');
    expect(ack.data).toMatchObject({ clientMsgId: 'nginx-m1', conversationId: groupId, seq: 1, duplicate: false });
    expect(ack.data.id).toMatch(/^\d+$/);
    for (const receiver of [bob, carol]) {
      const { data } = await receiver.next('message', (message) => message.clientMsgId === 'nginx-m1');
      expect(data).toMatchObject({ id: ack.data.id, conversationId: groupId, seq: 1, senderId: users[0].id, body: 'hello from instance one' });
    }
  });

  it('relays in the other direction too', async () => {
    const [alice, bob, carol] = clients;
    const ack = await bob.sendMessage(groupId, 'reply from instance two', 'nginx-m2');
    expect(ack.event).toBe('message_ack');
    expect(ack.data).toMatchObject({ conversationId: groupId, seq: 2 });
    for (const receiver of [alice, carol]) {
      const { data } = await receiver.next('message', (message) => message.clientMsgId === 'nginx-m2');
      expect(data).toMatchObject({ id: ack.data.id, seq: 2, senderId: users[1].id, body: 'reply from instance two' });
    }
  });

  it('delivers each message exactly once and never back to the sending socket', async () => {
    const [alice, bob, carol] = clients;
    // Markers, not sleeps: Redis delivers in publish order, so once a later message has arrived
    // any duplicate or echo of an earlier one would have arrived before it.
    expect((await carol.sendMessage(groupId, 'marker for alice and bob', 'nginx-m3')).event).toBe('message_ack');
    await Promise.all([alice, bob].map((client) => client.next('message', (message) => message.seq === 3)));
    expect((await alice.sendMessage(groupId, 'marker for bob and carol', 'nginx-m4')).event).toBe('message_ack');
    await Promise.all([bob, carol].map((client) => client.next('message', (message) => message.seq === 4)));

    expect(seqsOf(alice)).toEqual([2, 3]);
    expect(seqsOf(bob)).toEqual([1, 3, 4]);
    expect(seqsOf(carol)).toEqual([1, 2, 4]);
    expect(alice.framesOf('message_ack').map((ack) => ack.seq)).toEqual([1, 4]);
    expect(clients.flatMap((client) => client.framesOf('error'))).toEqual([]);
  });
});
