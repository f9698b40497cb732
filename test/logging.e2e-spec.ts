import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client';
import { RelayInstance } from './support/relay-instance';
import { startTestRelays, TestRelays } from './support/test-relays';
import { WsTestClient } from './support/ws-client';
import { handshakeStatus } from './support/ws-handshake';

type LogLine = Record<string, any>;

/** Every line the instance wrote, parsed; a line that is not JSON fails the test with its text. */
function parseLines(logs: string): LogLine[] {
  return logs
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
}

async function waitForLine(relay: RelayInstance, match: (line: LogLine) => boolean, timeoutMs = 5_000): Promise<LogLine> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = parseLines(relay.logs).find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no matching log line within ${timeoutMs} ms:\n${relay.logs}`);
}

describe('structured logs', () => {
  let relays: TestRelays;
  let relay: RelayInstance;
  let api: ApiClient;
  const email = `logger-${randomBytes(4).toString('hex')}@test.relay`;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const wrongPassword = `wrong-${randomBytes(12).toString('hex')}`;
  let token: string;

  beforeAll(async () => {
    // verbose: the most the server ever logs, so the most chances to leak.
    relays = await startTestRelays({ env: { LOG_LEVEL: 'verbose' } });
    [relay] = relays.instances;
    api = new ApiClient(relay.httpUrl);

    expect((await api.request('POST', '/auth/register', { email, password, displayName: 'Logger' })).status).toBe(201);
    const login = await api.request('POST', '/auth/login', { email, password });
    expect(login.status).toBe(200);
    token = login.body.accessToken;
    expect((await api.request('POST', '/auth/login', { email, password: wrongPassword })).status).toBe(401);

    const me = await fetch(`${relay.httpUrl}/auth/me`, { headers: { authorization: `Bearer ${token}`, 'x-request-id': 'logging-e2e-me' } });
    expect(me.status).toBe(200);
    expect(me.headers.get('x-request-id')).toBe('logging-e2e-me');

    for (const protocols of [['access_token', token], token]) {
      const client = await WsTestClient.connect(relay.wsUrl, protocols);
      client.close();
      await client.closed;
    }
    expect(await handshakeStatus(relay.wsUrl, ['access_token', `${token}x`])).toBe(401);
    await waitForLine(relay, (line) => line.req?.url === '/auth/me');
  });

  afterAll(async () => {
    await relays?.stop();
  });

  it('writes only JSON lines, each carrying the instance id', () => {
    const lines = parseLines(relay.logs);
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(line).toMatchObject({ instanceId: relay.instanceId, level: expect.any(String), time: expect.any(String) });
    expect(lines.some((line) => line.context === 'Relay' && /^listening on /.test(line.msg))).toBe(true);
  });

  it('logs each HTTP request with a request id, honouring X-Request-Id', async () => {
    const me = await waitForLine(relay, (line) => line.req?.url === '/auth/me');
    expect(me).toMatchObject({ level: 'info', requestId: 'logging-e2e-me', req: { id: 'logging-e2e-me', method: 'GET' }, res: { statusCode: 200 } });
    expect(me.req.headers.authorization).toBe('[redacted]');

    const failed = await waitForLine(relay, (line) => line.req?.url === '/auth/login' && line.res?.statusCode === 401);
    expect(failed).toMatchObject({ level: 'warn', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  });

  it('logs an unexpected error with the id of the request that met it', async () => {
    const db = new Client({ connectionString: relays.env.DATABASE_URL });
    await db.connect();
    // A schema the running code does not expect: the user lookup fails with a plain SQL error.
    await db.query('ALTER TABLE users RENAME COLUMN display_name TO display_name_moved');
    try {
      const me = await fetch(`${relay.httpUrl}/auth/me`, { headers: { authorization: `Bearer ${token}`, 'x-request-id': 'logging-e2e-broken' } });
      expect(me.status).toBe(500);
      const body = (await me.json()) as { code: string; message: string };
      expect(body.code).toBe('internal_error');
      const errorId = /id ([0-9a-f-]{36})/.exec(body.message)?.[1];
      expect(errorId).toBeDefined();
      const line = await waitForLine(relay, (candidate) => candidate.msg === `unexpected error ${errorId}`);
      expect(line).toMatchObject({ level: 'error', requestId: 'logging-e2e-broken', context: 'HttpExceptionFilter', stack: expect.stringContaining('display_name') });
    } finally {
      await db.query('ALTER TABLE users RENAME COLUMN display_name_moved TO display_name');
      await db.end();
    }
  });

  it('never writes the password, the wrong password or the token', () => {
    const logs = relay.logs;
    expect(token).toMatch(/^eyJ/);
    expect(logs).not.toContain(password);
    expect(logs).not.toContain(wrongPassword);
    expect(logs).not.toContain(token);
    // Not even the signature alone, wherever a token might have been cut.
    expect(logs).not.toContain(token.split('.')[2]);
  });
});
