import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, TestUser } from './support/api-client';
import { claims, signHmac, signRs256, unsignedToken } from './support/jwt-forge';
import { RelayInstance, TEST_JWT_SECRET } from './support/relay-instance';
import { startTestRelays, TestRelays } from './support/test-relays';
import { WsTestClient } from './support/ws-client';
import { handshakeStatus } from './support/ws-handshake';

describe('auth (REST and WebSocket handshake)', () => {
  let relays: TestRelays;
  let relay: RelayInstance;
  let api: ApiClient;
  let alice: TestUser;

  beforeAll(async () => {
    relays = await startTestRelays();
    [relay] = relays.instances;
    api = new ApiClient(relay.httpUrl);
    alice = await api.newUser('alice');
  });

  afterAll(async () => {
    await relays?.stop();
  });

  describe('REST', () => {
    it('registers a user and never returns the password hash', async () => {
      const result = await api.request('POST', '/auth/register', {
        email: 'New.Person@Example.com',
        password: 'long-enough-password',
        displayName: 'New Person',
      });
      expect(result.status).toBe(201);
      expect(result.body).toMatchObject({ email: 'new.person@example.com', displayName: 'New Person' });
      expect(result.body.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(JSON.stringify(result.body)).not.toMatch(/password|argon/i);
    });

    it('refuses a duplicate email (case-insensitive) with 409 email_taken', async () => {
      const result = await api.request('POST', '/auth/register', { email: alice.email.toUpperCase(), password: 'another-password' });
      expect(result.status).toBe(409);
      expect(result.body).toMatchObject({ statusCode: 409, code: 'email_taken' });
    });

    it('rejects invalid registration input with 400 and a message', async () => {
      const result = await api.request('POST', '/auth/register', { email: 'not-an-email', password: 'short' });
      expect(result.status).toBe(400);
      expect(JSON.stringify(result.body.message)).toMatch(/email/);
      expect(JSON.stringify(result.body.message)).toMatch(/password/);
    });

    it('logs in with the right password and returns token, expiry and user', async () => {
      const result = await api.request('POST', '/auth/login', { email: alice.email, password: alice.password });
      expect(result.status).toBe(200);
      expect(result.body).toMatchObject({ expiresIn: expect.any(Number), user: { id: alice.id, email: alice.email } });
      expect(result.body.accessToken.split('.')).toHaveLength(3);
      const me = await api.request('GET', '/auth/me', undefined, result.body.accessToken);
      expect(me).toMatchObject({ status: 200, body: { id: alice.id } });
    });

    it('answers a wrong password and an unknown email the same way', async () => {
      const wrong = await api.request('POST', '/auth/login', { email: alice.email, password: 'wrong-password' });
      const unknown = await api.request('POST', '/auth/login', { email: 'nobody@test.relay', password: 'wrong-password' });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual(wrong.body);
    });

    it('refuses authenticated endpoints without a valid bearer token', async () => {
      expect((await api.request('GET', '/conversations')).status).toBe(401);
      expect((await api.request('GET', '/conversations', undefined, 'garbage')).status).toBe(401);
      expect((await api.request('GET', '/conversations', undefined, unsignedToken(claims(alice.id, 60)))).status).toBe(401);
    });
  });

  describe('WebSocket handshake', () => {
    const forged: [string, () => string | string[] | undefined][] = [
      ['no token at all', () => undefined],
      ['a malformed token', () => ['access_token', 'not.a.jwt']],
      ['alg: none', () => ['access_token', unsignedToken(claims(alice.id, 600))]],
      ['a token signed with another key', () => ['access_token', signHmac(claims(alice.id, 600), 'some-other-secret-some-other-secret!!')]],
      ['a token with another HMAC algorithm (HS512)', () => ['access_token', signHmac(claims(alice.id, 600), TEST_JWT_SECRET, 'HS512')]],
      ['an RS256 token', () => ['access_token', signRs256(claims(alice.id, 600))]],
      ['an expired token', () => ['access_token', signHmac(claims(alice.id, -10), TEST_JWT_SECRET)]],
      ['a token without a subject', () => ['access_token', signHmac({ exp: Math.floor(Date.now() / 1000) + 600 }, TEST_JWT_SECRET)]],
    ];

    it.each(forged)('refuses %s with HTTP 401 before the upgrade', async (_name, protocols) => {
      expect(await handshakeStatus(relay.wsUrl, protocols())).toBe(401);
    });

    it('accepts the bare-token form and echoes the token as the subprotocol (reference design)', async () => {
      const client = await WsTestClient.connect(relay.wsUrl, alice.token);
      expect(client.socket.protocol).toBe(alice.token);
      expect(client.ready.data).toMatchObject({ userId: alice.id, instanceId: relay.instanceId });
      client.close();
    });

    it("accepts ['access_token', token] and echoes only access_token", async () => {
      const client = await WsTestClient.connect(relay.wsUrl, ['access_token', alice.token]);
      expect(client.socket.protocol).toBe('access_token');
      expect(client.ready.data.userId).toBe(alice.id);
      client.close();
    });

    it('closes the socket with 4001 when its token expires', async () => {
      const shortLived = signHmac(claims(alice.id, 2), TEST_JWT_SECRET);
      const client = await WsTestClient.connect(relay.wsUrl, ['access_token', shortLived]);
      const started = Date.now();
      const closed = await client.closed;
      expect(closed.code).toBe(4001);
      expect(closed.reason).toMatch(/expired/i);
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });
});
