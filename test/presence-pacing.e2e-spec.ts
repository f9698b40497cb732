import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiClient, TestUser } from './support/api-client';
import { OpenSockets } from './support/open-sockets';
import { RelayInstance } from './support/relay-instance';
import { startTestRelays, TestRelays } from './support/test-relays';
import { WsTestClient } from './support/ws-client';

/** The paced instance may cause two presence frames per second (and one at once). */
const PACED_RATE = 2;

/**
 * Presence announcements wait for their turn when transitions come in bursts, so they cannot
 * crowd out messages. These tests make the wait visible with a tiny budget on one instance.
 */
describe('presence pacing', () => {
  let relays: TestRelays;
  let paced: RelayInstance;
  let plain: RelayInstance;
  let api: ApiClient;
  let watcher: TestUser;
  let watching: WsTestClient;
  const open = new OpenSockets();
  const connect = open.connect;
  /** When the watcher received each presence frame, by user. */
  const arrivals = new Map<string, { online: boolean; at: number }[]>();
  const presenceSeenOf = (user: TestUser) => (arrivals.get(user.id) ?? []).map((arrival) => arrival.online);

  beforeAll(async () => {
    relays = await startTestRelays({
      instances: [{ INSTANCE_ID: 'paced', PRESENCE_DELIVERIES_PER_SECOND: String(PACED_RATE) }, { INSTANCE_ID: 'plain' }],
    });
    [paced, plain] = relays.instances;
    // Presence checks through the paced instance: its answer comes back on the same Redis
    // connection as its own presence updates, after them.
    api = new ApiClient(paced.httpUrl);
    watcher = await api.newUser('watcher');
    watching = await connect(watcher, plain);
    watching.socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      if (frame.event !== 'presence') return;
      const seen = arrivals.get(frame.data.userId) ?? [];
      seen.push({ online: frame.data.online, at: Date.now() });
      arrivals.set(frame.data.userId, seen);
    });
  });

  afterAll(async () => {
    open.closeAll();
    await relays?.stop();
  });

  /** Users who each share a conversation with the watcher only, so each announcement is one frame. */
  async function contactsOfWatcher(name: string, count: number): Promise<TestUser[]> {
    const users = await Promise.all(Array.from({ length: count }, (_, i) => api.newUser(`${name}-${i}`)));
    await Promise.all(users.map((user) => api.createGroup(user, name, [watcher.id])));
    return users;
  }

  /** Resolves once the shared store says so, that is once the paced instance has queued the announcement. */
  async function storeSays(user: TestUser, online: boolean): Promise<void> {
    await vi.waitFor(
      async () => expect((await api.request('GET', `/users/${user.id}/presence`, undefined, watcher.token)).body.online).toBe(online),
      { timeout: 10_000, interval: 20 },
    );
  }

  /**
   * A user whose departure costs 8 frames (the watcher and 7 others who never connect): 4 s of
   * the paced instance's budget, which whoever leaves next waits behind. That wait is the window
   * in which the tests change their mind.
   */
  async function heavyContact(): Promise<TestUser> {
    const [heavy, ...others] = await Promise.all(Array.from({ length: 8 }, (_, i) => api.newUser(`heavy-${i}`)));
    await api.createGroup(heavy, 'heavy', [watcher.id, ...others.map((other) => other.id)]);
    return heavy;
  }

  /** Connects each user to the paced instance and waits until the watcher has seen them arrive (online is never paced). */
  async function arriveAll(users: TestUser[]): Promise<WsTestClient[]> {
    const sockets = await Promise.all(users.map((user) => connect(user, paced)));
    await Promise.all(users.map((user) => watching.next('presence', (data) => data.userId === user.id && data.online)));
    return sockets;
  }

  /** Closes the socket and waits until the paced instance has queued the user's departure. */
  async function leave(socket: WsTestClient, user: TestUser): Promise<void> {
    socket.close();
    await storeSays(user, false);
  }

  it('spreads a burst of departures over time, and never announces one who came back while waiting', async () => {
    const burst = await contactsOfWatcher('burst', 4);
    const [flapper, marker] = await contactsOfWatcher('late', 2);
    const heavy = await heavyContact();
    const [flapping, marking, heavySocket, ...bursting] = await arriveAll([flapper, marker, heavy, ...burst]);

    for (const socket of bursting) socket.close();
    await leave(heavySocket, heavy);
    await leave(flapping, flapper);
    await connect(flapper, paced);
    await storeSays(flapper, true);
    marking.close();
    await watching.next('presence', (data) => data.userId === marker.id && !data.online, 20_000);

    for (const user of burst) expect(presenceSeenOf(user)).toEqual([true, false]);
    // At most two frames at once, then one per half second: the fourth departure comes at least 1 s after the first.
    const departures = burst.map((user) => arrivals.get(user.id)![1].at);
    expect(Math.max(...departures) - Math.min(...departures)).toBeGreaterThanOrEqual(950);
    // Its departure waited behind the others, and its return cancelled it.
    expect(presenceSeenOf(flapper)).toEqual([true]);
  }, 40_000);

  it('drops a queued departure that another instance has made untrue meanwhile', async () => {
    const [roamer, marker] = await contactsOfWatcher('roam', 2);
    const heavy = await heavyContact();
    const [roaming, marking, heavySocket] = await arriveAll([roamer, marker, heavy]);

    await leave(heavySocket, heavy);
    await leave(roaming, roamer);
    // While the paced instance still holds "offline", the user comes back through the other one,
    // which knows nothing of it and announces them online (again, for the watcher).
    await connect(roamer, plain);
    await watching.next('presence', (data) => data.userId === roamer.id && data.online, 10_000);
    marking.close();
    await watching.next('presence', (data) => data.userId === marker.id && !data.online, 20_000);

    // The late "offline" would have left the watcher believing a present user gone.
    expect(presenceSeenOf(roamer)).toEqual([true, true]);
  }, 40_000);
});
