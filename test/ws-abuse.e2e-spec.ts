import { once } from 'node:events';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, TestUser } from './support/api-client';
import { RelayInstance } from './support/relay-instance';
import { startTestRelays, TestRelays } from './support/test-relays';
import { handshakeStatus } from './support/ws-handshake';
import { WsTestClient } from './support/ws-client';

const ORIGIN = 'https://chat.example';
const HEARTBEAT_MS = 1000;
const RATE_BURST = 10;

/** Defences against clients that misbehave on purpose or by accident: Origin, rate limit, dead peers. */
describe('WebSocket abuse limits', () => {
  let relays: TestRelays;
  let relay: RelayInstance;
  let alice: TestUser;
  const sockets: WsTestClient[] = [];

  const connect = async () => {
    const socket = await WsTestClient.connect(relay.wsUrl, ['access_token', alice.token], { headers: { origin: ORIGIN } });
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    relays = await startTestRelays({
      env: {
        ALLOWED_ORIGINS: ORIGIN,
        HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS),
        WS_RATE_BURST: String(RATE_BURST),
        WS_RATE_PER_SECOND: '2',
      },
    });
    [relay] = relays.instances;
    alice = await new ApiClient(relay.httpUrl).newUser('alice');
  });

  afterAll(async () => {
    for (const socket of sockets) socket.socket.terminate();
    await relays?.stop();
  });

  it('refuses an upgrade from an unlisted Origin with 403, accepts the listed one and non-browser clients', async () => {
    const protocols = ['access_token', alice.token];
    expect(await handshakeStatus(relay.wsUrl, protocols, { origin: 'https://evil.example' })).toBe(403);
    expect(await handshakeStatus(relay.wsUrl, protocols, { origin: 'null' })).toBe(403);
    // No Origin header: a native app or a server, not a browser page.
    expect(await handshakeStatus(relay.wsUrl, protocols)).toBe(101);
    expect(await handshakeStatus(relay.wsUrl, protocols, { origin: ORIGIN })).toBe(101);
  });

  it('answers frames beyond the burst with a retryable rate_limited, and the socket stays open', async () => {
    const socket = await connect();
    const sent = RATE_BURST + 5;
    for (let i = 0; i < sent; i++) socket.send('no_such_event', {}, `r-${i}`);
    await socket.nextWhere(() => socket.framesOf('error').length === sent, 5000, `${sent} errors`);
    const errors = socket.framesOf('error');
    const limited = errors.filter((error) => error.code === 'rate_limited');
    // Tokens refill while the frames are in flight, so a few more than the burst may pass.
    expect(limited.length).toBeGreaterThanOrEqual(3);
    expect(limited[0]).toMatchObject({ retryable: true, ref: null, message: expect.stringMatching(/slow down/) });
    expect(errors.filter((error) => error.code === 'unknown_event').length).toBe(sent - limited.length);
    expect(socket.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('closes with 1008 a socket that keeps sending through the refusals', async () => {
    const socket = await connect();
    for (let i = 0; i < RATE_BURST + 40; i++) socket.send('no_such_event', {});
    expect(await socket.closed).toEqual({ code: 1008, reason: 'Rate limit exceeded' });
  });

  it('terminates a socket that stops answering pings, and keeps one that answers', async () => {
    const healthy = await connect();
    const silent = new WebSocket(relay.wsUrl, ['access_token', alice.token], { headers: { origin: ORIGIN }, autoPong: false });
    await once(silent, 'open');
    const openedAt = Date.now();

    const [code] = (await once(silent, 'close')) as [number];

    // Terminated without a close frame; two missed pings then the next beat: at most 3 intervals.
    expect(code).toBe(1006);
    expect(Date.now() - openedAt).toBeLessThan(3 * HEARTBEAT_MS + 1500);
    expect(healthy.socket.readyState).toBe(WebSocket.OPEN);
    const since = healthy.frames.length;
    healthy.send('no_such_event', {}, 'still-alive');
    const answer = await healthy.nextWhere((frame) => frame.event === 'error' && frame.data.ref === 'still-alive', 5000, 'an answer', since);
    expect(answer.data.code).toBe('unknown_event');
  });
});
