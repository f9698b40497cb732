import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, TestUser } from './support/api-client';
import { RelayInstance } from './support/relay-instance';
import { startTestRelays, TestRelays } from './support/test-relays';
import { OpenSockets } from './support/open-sockets';
import { WsTestClient } from './support/ws-client';

const TTL_SECONDS = 3;

/** Presence across instances: once per transition, and expiry when an instance dies without cleaning up. */
describe('presence', () => {
  let relays: TestRelays;
  let A: RelayInstance;
  let B: RelayInstance;
  let C: RelayInstance;
  let api: ApiClient;
  const open = new OpenSockets();
  const connect = open.connect;
  const presenceOf = (socket: WsTestClient, user: TestUser) => socket.framesOf('presence').filter((p) => p.userId === user.id).map((p) => p.online);

  beforeAll(async () => {
    relays = await startTestRelays({
      env: { PRESENCE_TTL_SECONDS: String(TTL_SECONDS) },
      instances: [{ INSTANCE_ID: 'A' }, { INSTANCE_ID: 'B' }, { INSTANCE_ID: 'C' }],
    });
    [A, B, C] = relays.instances;
    api = new ApiClient(A.httpUrl);
  });

  afterAll(async () => {
    open.closeAll();
    await relays?.stop();
  });

  it('announces online once for many devices and offline once when the last one leaves', async () => {
    const [alice, bob, stranger] = await Promise.all([api.newUser('alice'), api.newUser('bob'), api.newUser('stranger')]);
    const conversationId = await api.createGroup(alice, 'presence', [bob.id]);
    const watcher = await connect(bob, A);

    const phone = await connect(alice, B);
    await watcher.next('presence', (data) => data.userId === alice.id && data.online);
    expect((await api.request('GET', `/users/${alice.id}/presence`, undefined, bob.token)).body).toEqual({ userId: alice.id, online: true });

    const laptop = await connect(alice, C);
    // A marker from the laptop's instance arrives after any presence event that instance sent.
    await laptop.sendMessage(conversationId, 'marker 1', 'p-1');
    await watcher.next('message', (data) => data.body === 'marker 1');
    phone.close();
    await phone.closed;
    await laptop.sendMessage(conversationId, 'marker 2', 'p-2');
    await watcher.next('message', (data) => data.body === 'marker 2');
    expect(presenceOf(watcher, alice)).toEqual([true]);

    laptop.close();
    await watcher.next('presence', (data) => data.userId === alice.id && !data.online);
    expect(presenceOf(watcher, alice)).toEqual([true, false]);
    expect((await api.request('GET', `/users/${alice.id}/presence`, undefined, bob.token)).body.online).toBe(false);

    // Only people who share a conversation may ask.
    const refused = await api.request('GET', `/users/${alice.id}/presence`, undefined, stranger.token);
    expect(refused).toMatchObject({ status: 404, body: { code: 'user_not_found' } });
  });

  it('marks users of a killed instance offline within the TTL bound', async () => {
    const [carol, dave] = await Promise.all([api.newUser('carol'), api.newUser('dave')]);
    await api.createGroup(carol, 'crash', [dave.id]);
    const doomed = await RelayInstance.start({ ...relays.env, INSTANCE_ID: 'doomed' });
    const watcher = await connect(dave, A);
    await connect(carol, doomed);
    await watcher.next('presence', (data) => data.userId === carol.id && data.online);

    const killedAt = Date.now();
    await doomed.stop('SIGKILL');
    await watcher.next('presence', (data) => data.userId === carol.id && !data.online, (TTL_SECONDS + 10) * 1000);
    // TTL, plus up to one reaper interval (a third of the TTL here), plus delivery.
    expect(Date.now() - killedAt).toBeLessThan((TTL_SECONDS + TTL_SECONDS / 3 + 2) * 1000);
    expect((await api.request('GET', `/users/${carol.id}/presence`, undefined, dave.token)).body.online).toBe(false);
  });

  it('leaves the users of a stopped instance to the reaper: one who reconnects elsewhere never looks offline', async () => {
    const [erin, gina, hank] = await Promise.all([api.newUser('erin'), api.newUser('gina'), api.newUser('hank')]);
    await api.createGroup(erin, 'restart', [gina.id, hank.id]);
    const stopping = await RelayInstance.start({ ...relays.env, INSTANCE_ID: 'stopping' });
    const watcher = await connect(hank, A);
    const [erinSocket] = await Promise.all([connect(erin, stopping), connect(gina, stopping)]);
    await watcher.next('presence', (data) => data.userId === erin.id && data.online);
    await watcher.next('presence', (data) => data.userId === gina.id && data.online);

    // Erin's client does what a 1012 asks: reconnects at once, here to another instance.
    const reconnected = erinSocket.closed.then(() => connect(erin, B));
    const stoppedAt = Date.now();
    expect(await stopping.stop()).toBe(0);
    await reconnected;
    // Gina does not come back: the reaper announces her once her instance's entry expires.
    await watcher.next('presence', (data) => data.userId === gina.id && !data.online, (TTL_SECONDS + 10) * 1000);
    expect(Date.now() - stoppedAt).toBeLessThan((TTL_SECONDS + TTL_SECONDS / 3 + 2) * 1000);

    expect(presenceOf(watcher, erin)).toEqual([true]);
    expect(presenceOf(watcher, gina)).toEqual([true, false]);
    // Nothing raced the instance's own Redis close on the way out.
    expect(stopping.logs).not.toMatch(/presence of .* failed/);
  });

  it('announces many arrivals at once each to their own contacts only', async () => {
    const [watcherU, watcherV, ...arrivals] = await Promise.all(Array.from({ length: 12 }, (_, i) => api.newUser(`crowd-${i}`)));
    const [us, vs] = [arrivals.slice(0, 5), arrivals.slice(5)];
    await api.createGroup(watcherU, 'us', us.map((u) => u.id));
    await Promise.all(vs.map((v) => api.createGroup(v, 'v-and-watcher', [watcherV.id])));
    const [seesU, seesV] = await Promise.all([connect(watcherU, B), connect(watcherV, C)]);

    // All at once on one instance, so their announcements share contact queries.
    await Promise.all(arrivals.map((user) => connect(user, A)));
    await Promise.all(us.map((u) => seesU.next('presence', (data) => data.userId === u.id && data.online)));
    await Promise.all(vs.map((v) => seesV.next('presence', (data) => data.userId === v.id && data.online)));

    // The us see each other arrive too, but nobody hears of someone they share nothing with.
    const onlineSeen = (socket: WsTestClient) => socket.framesOf('presence').filter((p) => p.online).map((p) => p.userId as string);
    expect(onlineSeen(seesU).sort()).toEqual(us.map((u) => u.id).sort());
    expect(onlineSeen(seesV).sort()).toEqual(vs.map((v) => v.id).sort());
  });
});
