import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, TestUser } from './support/api-client';
import { claims, signHmac } from './support/jwt-forge';
import { RelayInstance, TEST_JWT_SECRET } from './support/relay-instance';
import { startTestRelays, TestRelays } from './support/test-relays';
import { WsTestClient } from './support/ws-client';

const run = promisify(execFile);
const BAN = join(__dirname, '..', 'dist', 'scripts', 'ban.js');

describe('refresh tokens, logout and bans across two instances', () => {
  let relays: TestRelays;
  let a: RelayInstance;
  let b: RelayInstance;
  let apiA: ApiClient;
  let apiB: ApiClient;
  const sockets: WsTestClient[] = [];

  beforeAll(async () => {
    relays = await startTestRelays({ instances: [{ INSTANCE_ID: 'refresh-a' }, { INSTANCE_ID: 'refresh-b' }] });
    [a, b] = relays.instances;
    apiA = new ApiClient(a.httpUrl);
    apiB = new ApiClient(b.httpUrl);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await relays?.stop();
  });

  async function login(api: ApiClient, user: TestUser) {
    const response = await api.request('POST', '/auth/login', { email: user.email, password: user.password });
    expect(response.status).toBe(200);
    return response.body as { accessToken: string; refreshToken: string; expiresIn: number; refreshExpiresIn: number };
  }

  async function connect(instance: RelayInstance, token: string): Promise<WsTestClient> {
    const socket = await WsTestClient.connect(instance.wsUrl, ['access_token', token]);
    sockets.push(socket);
    return socket;
  }

  /** A frame that needs the server's answer: proves the socket is open and served. */
  async function roundTrip(socket: WsTestClient): Promise<void> {
    const since = socket.frames.length;
    socket.send('sync', {});
    await socket.nextWhere((frame) => frame.event === 'sync_done', 10_000, 'sync_done', since);
  }

  it('login returns a refresh token; refresh rotates it; a rotated token presented again revokes its whole family', async () => {
    const user = await apiA.newUser('rotate');
    const first = await login(apiA, user);
    const otherLogin = await login(apiB, user);
    expect(first.refreshToken).toEqual(expect.any(String));
    expect(first.refreshExpiresIn).toBe(30 * 24 * 3600);

    const second = await apiB.request('POST', '/auth/refresh', { refreshToken: first.refreshToken });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect((await apiA.request('GET', '/auth/me', undefined, second.body.accessToken)).body.id).toBe(user.id);

    // The spent token comes back: someone holds a copy, so the newest token dies with it.
    const reused = await apiA.request('POST', '/auth/refresh', { refreshToken: first.refreshToken });
    expect(reused.status).toBe(401);
    expect(reused.body.code).toBe('unauthorized');
    const newest = await apiA.request('POST', '/auth/refresh', { refreshToken: second.body.refreshToken });
    expect(newest.status).toBe(401);

    // Another login of the same user is another family, untouched.
    expect((await apiA.request('POST', '/auth/refresh', { refreshToken: otherLogin.refreshToken })).status).toBe(200);
    expect((await apiA.request('POST', '/auth/refresh', { refreshToken: 'not-a-token-we-ever-issued' })).status).toBe(401);
  });

  it('logout revokes the login and closes every socket of the user on both instances with 4003', async () => {
    const user = await apiA.newUser('logout');
    const bystander = await apiA.newUser('bystander');
    const session = await login(apiA, user);
    const [onA, onB, other] = await Promise.all([connect(a, session.accessToken), connect(b, session.accessToken), connect(b, bystander.token)]);

    const logout = await apiB.request('POST', '/auth/logout', { refreshToken: session.refreshToken }, session.accessToken);
    expect(logout.status).toBe(204);
    expect(await onA.closed).toEqual({ code: 4003, reason: 'Logged out' });
    expect(await onB.closed).toEqual({ code: 4003, reason: 'Logged out' });
    await roundTrip(other);
    expect((await apiA.request('POST', '/auth/refresh', { refreshToken: session.refreshToken })).status).toBe(401);

    // Someone else's refresh token cannot be logged out with your access token.
    const victim = await login(apiA, bystander);
    const foreign = await apiA.request('POST', '/auth/logout', { refreshToken: victim.refreshToken }, session.accessToken);
    expect(foreign.status).toBe(401);
    expect((await apiA.request('POST', '/auth/refresh', { refreshToken: victim.refreshToken })).status).toBe(200);
  });

  it('refresh_token over the socket moves its expiry past the original token', async () => {
    const user = await apiA.newUser('extend');
    // Both sockets open with tokens expiring the same second; only one is refreshed.
    const original = claims(user.id, 3);
    const shortLived = signHmac(original, TEST_JWT_SECRET);
    const originalExpiry = original.exp;
    const [extended, control] = await Promise.all([connect(a, shortLived), connect(a, shortLived)]);
    const fresh = await login(apiA, user);

    extended.send('refresh_token', { accessToken: fresh.accessToken }, 'r1');
    const refreshed = await extended.next('token_refreshed');
    expect(Date.parse(refreshed.data.expiresAt)).toBeGreaterThan(originalExpiry * 1000 + 60_000);

    // The control socket closing with 4001 shows the original expiry has passed and been swept.
    expect((await control.closed).code).toBe(4001);
    expect(Date.now()).toBeGreaterThanOrEqual(originalExpiry * 1000);
    await roundTrip(extended);
    expect(extended.socket.readyState).toBe(extended.socket.OPEN);
  });

  it('refuses a refresh_token of another user, or an invalid one, and leaves the socket as it was', async () => {
    const user = await apiA.newUser('mine');
    const stranger = await apiA.newUser('stranger');
    const socket = await connect(b, user.token);
    const expiresAt = socket.ready.data.expiresAt;

    socket.send('refresh_token', { accessToken: stranger.token }, 'theirs');
    expect((await socket.next('error', (data) => data.ref === 'theirs')).data.code).toBe('unauthorized');
    socket.send('refresh_token', { accessToken: signHmac(claims(user.id, 3600), 'another-secret-another-secret-another-secret') }, 'forged');
    expect((await socket.next('error', (data) => data.ref === 'forged')).data.code).toBe('unauthorized');
    socket.send('refresh_token', { accessToken: 'nope' }, 'garbage');
    expect((await socket.next('error', (data) => data.ref === 'garbage')).data.code).toBe('validation_failed');

    // A token that expires sooner does not cut the socket short.
    socket.send('refresh_token', { accessToken: signHmac(claims(user.id, 60), TEST_JWT_SECRET) }, 'older');
    expect((await socket.next('token_refreshed')).data.expiresAt).toBe(expiresAt);
  });

  it('npm run ban closes the user’s sockets on every instance, revokes their refresh tokens and refuses login', async () => {
    const user = await apiA.newUser('banned');
    const session = await login(apiA, user);
    const [onA, onB] = await Promise.all([connect(a, session.accessToken), connect(b, session.accessToken)]);

    const result = await run(process.execPath, [BAN, user.email], {
      env: { PATH: process.env.PATH, ...relays.env, LOG_LEVEL: 'log' },
    });
    expect(result.stdout + result.stderr).toMatch(/disconnect sent to 2 instance/);

    expect(await onA.closed).toEqual({ code: 4003, reason: 'Banned' });
    expect(await onB.closed).toEqual({ code: 4003, reason: 'Banned' });
    const refused = await apiB.request('POST', '/auth/login', { email: user.email, password: user.password });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden');
    expect((await apiA.request('POST', '/auth/refresh', { refreshToken: session.refreshToken })).status).toBe(401);
    // A wrong password still gets the usual answer: the ban is not revealed to a guesser.
    expect((await apiA.request('POST', '/auth/login', { email: user.email, password: 'wrong-password' })).status).toBe(401);
  });

  it('ban names an unknown email and exits 1', async () => {
    const failure = (await run(process.execPath, [BAN, 'nobody@test.relay'], {
      env: { PATH: process.env.PATH, ...relays.env },
    }).catch((error: unknown) => error)) as { code?: number; stdout?: string; stderr?: string };
    expect(failure.code).toBe(1);
    expect(`${failure.stdout}${failure.stderr}`).toMatch(/no user has the email nobody@test\.relay/);
  });
});
