import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { RelayInstance } from './support/relay-instance';
import { createTestDatabase, uniqueChannelPrefix } from './support/services';
import { ThrowawayRedisCluster } from './support/throwaway-redis-cluster';
import { OpenSockets } from './support/open-sockets';

/** Three instances relaying over a real 3-master Redis Cluster with sharded pub/sub. */
describe('messaging over a Redis Cluster', () => {
  let cluster: ThrowawayRedisCluster;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let prefix: string;
  let instances: RelayInstance[];
  let api: ApiClient;
  const open = new OpenSockets();
  const connect = open.connect;
  /** SPUBLISH and PUBLISH calls each node has served so far. */
  const publishCounts = () =>
    Promise.all(
      cluster.ports.map(async (port) => {
        const stats = await cluster.cli(port, 'info', 'commandstats');
        const calls = (command: string) => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
        return { spublish: calls('spublish'), publish: calls('publish') };
      }),
    );

  beforeAll(async () => {
    [cluster, db] = await Promise.all([ThrowawayRedisCluster.create(), createTestDatabase()]);
    prefix = uniqueChannelPrefix();
    // One instance per master: pick ids whose own channel hashes to that master's slots, so the
    // test does not depend on where a random prefix happens to land.
    const ids: string[] = [];
    for (const port of cluster.ports) {
      for (let n = 0; ; n++) {
        const id = `${'ABC'[ids.length]}${n}`;
        if ((await cluster.ownerOf(`${prefix}instance:${id}`)) === port) {
          ids.push(id);
          break;
        }
      }
    }
    const env = { DATABASE_URL: db.url, REDIS_CLUSTER_NODES: cluster.nodes, REDIS_CHANNEL_PREFIX: prefix };
    instances = await Promise.all(ids.map((id) => RelayInstance.start({ ...env, INSTANCE_ID: id })));
    api = new ApiClient(instances[0].httpUrl);
  });

  afterAll(async () => {
    open.closeAll();
    await Promise.all((instances ?? []).map((instance) => instance.stop()));
    await Promise.all([db?.drop(), cluster?.stop()]);
  });

  it('is ready on every instance (its probe comes back through sharded pub/sub)', async () => {
    for (const instance of instances) {
      const ready = await fetch(`${instance.httpUrl}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ok', checks: { bus: 'ok' } });
    }
  });

  it('subscribes each instance channel on its own shard and uses no classic pub/sub', async () => {
    const perNode = await Promise.all(cluster.ports.map((port) => cluster.cli(port, 'pubsub', 'shardchannels', `${prefix}instance:*`)));
    expect(perNode.map((channels) => channels.split('\n').filter(Boolean))).toEqual(instances.map((instance) => [`${prefix}instance:${instance.instanceId}`]));
    for (const port of cluster.ports) expect(await cluster.cli(port, 'pubsub', 'channels', `${prefix}*`)).toBe('');
  });

  it('delivers a direct message to every device of both users, once each, spread over shards', async () => {
    const [A, B, C] = instances;
    const before = await publishCounts();
    const [alice, bob] = await Promise.all([api.newUser('alice'), api.newUser('bob')]);
    const aliceSender = await connect(alice, A);
    const aliceOtherDevice = await connect(alice, C);
    const bobPhone = await connect(bob, B);
    const bobLaptop = await connect(bob, C);
    // As the delivery contract asks, each device syncs on connect; sync_done comes only after the
    // device is registered in the routing sets, so live delivery to it is then guaranteed.
    await Promise.all(
      [aliceSender, aliceOtherDevice, bobPhone, bobLaptop].map((device) => {
        device.send('sync', {});
        return device.next('sync_done');
      }),
    );

    aliceSender.send('send_chat_message_to_participant', { participantId: bob.id, message: 'hi bob', clientMsgId: 'dm-1' });
    const first = await aliceSender.next('message_ack', (data) => data.clientMsgId === 'dm-1');
    for (const device of [bobPhone, bobLaptop, aliceOtherDevice]) {
      const received = await device.next('message', (data) => data.clientMsgId === 'dm-1');
      expect(received.data).toMatchObject({ id: first.data.id, seq: 1, body: 'hi bob' });
    }
    bobPhone.send('send_chat_message_to_participant', { participantId: alice.id, message: 'hi alice', clientMsgId: 'dm-2' });
    await bobPhone.next('message_ack', (data) => data.clientMsgId === 'dm-2');
    for (const device of [aliceSender, aliceOtherDevice, bobLaptop]) await device.next('message', (data) => data.clientMsgId === 'dm-2');

    expect(aliceSender.framesOf('message').map((m) => m.seq)).toEqual([2]);
    expect(aliceOtherDevice.framesOf('message').map((m) => m.seq)).toEqual([1, 2]);
    expect(bobLaptop.framesOf('message').map((m) => m.seq)).toEqual([1, 2]);
    expect(bobPhone.framesOf('message').map((m) => m.seq)).toEqual([1]);

    // A's envelopes went to B's and C's shards, B's to A's and C's: at least two shards carried traffic.
    const after = await publishCounts();
    const busy = after.filter((node, i) => node.spublish > before[i].spublish);
    expect(busy.length).toBeGreaterThanOrEqual(2);
    expect(after.map((node) => node.publish)).toEqual(before.map((node) => node.publish));
  });

  it('delivers group messages to all members on all instances, in seq order, without duplicates', async () => {
    const [A, B, C] = instances;
    const [carol, dan, erin, outsider] = await Promise.all(['carol', 'dan', 'erin', 'outsider'].map((n) => api.newUser(n)));
    const conversationId = await api.createGroup(carol, 'team', [dan.id, erin.id]);
    const sender = await connect(carol, A);
    const receivers = [await connect(dan, B), await connect(erin, C), await connect(erin, A), await connect(carol, C)];
    const outsiderSocket = await connect(outsider, B);

    const count = 20;
    for (let i = 1; i <= count; i++) sender.send('send_message', { conversationId, body: `msg ${i}`, clientMsgId: `g-${i}` });
    const acks = await Promise.all(Array.from({ length: count }, (_, i) => sender.ackOrError(`g-${i + 1}`)));
    expect(acks.map((ack) => ack.data.seq)).toEqual(Array.from({ length: count }, (_, i) => i + 1));

    for (const receiver of receivers) {
      await receiver.next('message', (data) => data.seq === count);
      expect(receiver.framesOf('message').filter((m) => m.conversationId === conversationId).map((m) => m.seq)).toEqual(
        Array.from({ length: count }, (_, i) => i + 1),
      );
    }
    const marker = await connect(carol, B);
    marker.send('send_chat_message_to_participant', { participantId: outsider.id, message: 'marker', clientMsgId: 'marker-1' });
    await outsiderSocket.next('message', (data) => data.body === 'marker');
    expect(outsiderSocket.framesOf('message').map((m) => m.body)).toEqual(['marker']);
  });

  it('announces presence online and offline across instances', async () => {
    const [A, B] = instances;
    const [frank, gina] = await Promise.all([api.newUser('frank'), api.newUser('gina')]);
    await api.createGroup(frank, 'presence', [gina.id]);
    const watcher = await connect(gina, A);
    const phone = await connect(frank, B);
    await watcher.next('presence', (data) => data.userId === frank.id && data.online);
    expect((await api.request('GET', `/users/${frank.id}/presence`, undefined, gina.token)).body).toEqual({ userId: frank.id, online: true });
    phone.close();
    await watcher.next('presence', (data) => data.userId === frank.id && !data.online);
    expect(watcher.framesOf('presence').filter((p) => p.userId === frank.id).map((p) => p.online)).toEqual([true, false]);
    expect((await api.request('GET', `/users/${frank.id}/presence`, undefined, gina.token)).body.online).toBe(false);
  });

  it('closes a logged-out user on every instance (control envelope on the sharded broadcast channel)', async () => {
    const [A, B, C] = instances;
    const user = await api.newUser('logout');
    const session = (await api.request('POST', '/auth/login', { email: user.email, password: user.password })).body;
    const [onB, onC] = await Promise.all([connect({ ...user, token: session.accessToken }, B), connect({ ...user, token: session.accessToken }, C)]);
    const logout = await new ApiClient(A.httpUrl).request('POST', '/auth/logout', { refreshToken: session.refreshToken }, session.accessToken);
    expect(logout.status).toBe(204);
    expect(await onB.closed).toMatchObject({ code: 4003 });
    expect(await onC.closed).toMatchObject({ code: 4003 });
  });
});
