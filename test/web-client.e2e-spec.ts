import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Browser, BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, TestUser } from './support/api-client';
import { RelayInstance } from './support/relay-instance';
import { startTestRelays, TestRelays } from './support/test-relays';
import { WsTestClient } from './support/ws-client';

/** Debian's Chromium (scripts/ensure-services.sh installs it); never a downloaded browser. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const SCREENSHOT = join(__dirname, '..', 'test-results', 'web-client.png');
const HISTORY_SIZE = 120;
/** Access token lifetime on the instance that checks renewal: long enough to log in, short enough to outlive twice. */
const SHORT_TTL_SECONDS = 5;

/** A counter of a Relay instance's /metrics, e.g. relay_frames_out_total{event="ready"}. */
async function metric(instance: RelayInstance, name: string, event: string): Promise<number> {
  const text = await fetch(`${instance.httpUrl}/metrics`).then((response) => response.text());
  const line = text.split('\n').find((l) => l.startsWith(`${name}{event="${event}"`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** The `exp` claim of a JWT, in seconds. */
function expiryOf(token: string): number {
  return (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { exp: number }).exp;
}

/**
 * The web client served at `/`, driven in a real browser: alice's browser talks to instance A,
 * bob's to instance B, and they chat through the page as a person would.
 */
describe('web client', () => {
  let relays: TestRelays;
  let A: RelayInstance;
  let B: RelayInstance;
  let api: ApiClient;
  let browser: Browser;
  let alice: TestUser;
  let bob: TestUser;
  let alicePage: Page;
  let bobPage: Page;
  const pageErrors: string[] = [];

  const openPage = async (context: BrowserContext, instance: RelayInstance): Promise<Page> => {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${instance.httpUrl}/`);
    return page;
  };
  const logIn = async (page: Page, user: TestUser) => {
    await page.fill('#login-form input[name=email]', user.email);
    await page.fill('#login-form input[name=password]', user.password);
    await page.click('#login-form button[value=login]');
    await status(page, 'Online').waitFor();
  };
  const status = (page: Page, text: string) => page.locator('#connection-status', { hasText: new RegExp(`^${text}$`) });
  const conversation = (page: Page, title: string) =>
    page.locator('#conversation-list .conversation', { has: page.locator('.conversation-title', { hasText: new RegExp(`^${title}$`) }) });
  const bodyIs = (page: Page, body: string) => page.locator('.body', { hasText: new RegExp(`^${body}$`) });
  const message = (page: Page, body: string) => page.locator('#message-list .message', { has: bodyIs(page, body) });
  /** A message the server has acked (or delivered), not one still being sent. */
  const delivered = (page: Page, body: string) => page.locator('#message-list .message:not([data-status])', { has: bodyIs(page, body) });
  const send = async (page: Page, body: string) => {
    await page.fill('#composer textarea', body);
    await page.press('#composer textarea', 'Enter');
  };
  const seqsShown = (page: Page): Promise<number[]> =>
    page.locator('#message-list .message[data-seq]').evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-seq'))));
  const hidden = (locator: Locator) => locator.waitFor({ state: 'hidden' });

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/ensure-services.sh (apt-get install -y chromium)`);
    relays = await startTestRelays({ instances: [{ INSTANCE_ID: 'web-A' }, { INSTANCE_ID: 'web-B' }] });
    [A, B] = relays.instances;
    api = new ApiClient(A.httpUrl);
    [alice, bob] = await Promise.all([api.newUser('alice'), api.newUser('bob')]);

    // History to scroll back through, written before alice's browser loads.
    const carol = await api.newUser('carol');
    const historyId = await api.createGroup(carol, 'History', [alice.id]);
    // A fresh socket every 40 sends keeps within any socket's frame budget.
    for (let first = 1; first <= HISTORY_SIZE; first += 40) {
      const writer = await WsTestClient.connect(B.wsUrl, ['access_token', carol.token]);
      for (let n = first; n < first + 40 && n <= HISTORY_SIZE; n++) await writer.sendMessage(historyId, `history ${n}`, `history-${n}`);
      writer.close();
    }

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    alicePage = await openPage(await browser.newContext({ viewport: { width: 1100, height: 700 } }), A);
    bobPage = await openPage(await browser.newContext({ viewport: { width: 1100, height: 700 } }), B);
  });

  afterAll(async () => {
    await browser?.close();
    await relays?.stop();
  });

  it('serves the client at / while the API, docs and health still answer', async () => {
    for (const instance of [A, B]) {
      const page = await fetch(`${instance.httpUrl}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>Relay</title>');
      expect((await fetch(`${instance.httpUrl}/js/main.js`)).headers.get('content-type')).toContain('javascript');
      expect((await fetch(`${instance.httpUrl}/docs`)).status).toBe(200);
      expect((await fetch(`${instance.httpUrl}/health/live`)).status).toBe(200);
      expect((await fetch(`${instance.httpUrl}/conversations`)).status).toBe(401);
    }
  });

  it('finds a user by exact email for starting a direct conversation', async () => {
    const found = await api.request('GET', `/users?email=${encodeURIComponent(` ${bob.email.toUpperCase()} `)}`, undefined, alice.token);
    expect(found).toEqual({ status: 200, body: { id: bob.id, email: bob.email, displayName: 'bob' } });
    const missing = await api.request('GET', '/users?email=nobody@test.relay', undefined, alice.token);
    expect(missing).toMatchObject({ status: 404, body: { code: 'user_not_found' } });
    expect((await api.request('GET', '/users?email=not-an-email', undefined, alice.token)).status).toBe(400);
    expect((await api.request('GET', `/users?email=${bob.email}`)).status).toBe(401);
  });

  it('lets alice (instance A) and bob (instance B) chat both ways, with unread counts, typing and presence', async () => {
    await Promise.all([logIn(alicePage, alice), logIn(bobPage, bob)]);

    await alicePage.fill('#new-direct-form input[name=email]', bob.email);
    await alicePage.click('#new-direct-form button');
    await alicePage.locator('#conversation-title', { hasText: /^bob$/ }).waitFor();
    await send(alicePage, 'Hi Bob, this is Alice on A');
    await delivered(alicePage, 'Hi Bob, this is Alice on A').waitFor();

    // Bob has not opened it yet: it shows up live with one unread message.
    await conversation(bobPage, 'alice').locator('[data-testid=unread]', { hasText: /^1$/ }).waitFor();
    await conversation(bobPage, 'alice').click();
    await message(bobPage, 'Hi Bob, this is Alice on A').waitFor();
    await hidden(conversation(bobPage, 'alice').locator('[data-testid=unread]'));

    // Presence: each sees the other online.
    await alicePage.locator('#conversation-members .member.online', { hasText: 'bob' }).waitFor();
    await bobPage.locator('#conversation-members .member.online', { hasText: 'alice' }).waitFor();

    await bobPage.locator('#composer textarea').pressSequentially('Hel');
    await alicePage.locator('#typing-indicator', { hasText: 'bob is typing' }).waitFor();
    await bobPage.locator('#composer textarea').pressSequentially('lo Alice, Bob here on B');
    await bobPage.press('#composer textarea', 'Enter');
    await message(alicePage, 'Hello Alice, Bob here on B').waitFor();
    await alicePage.locator('#typing-indicator', { hasText: /^$/ }).waitFor();

    expect(await seqsShown(alicePage)).toEqual([1, 2]);
    expect(await seqsShown(bobPage)).toEqual([1, 2]);
  });

  it('creates a group through the page, and the member sees it when the first message arrives', async () => {
    await alicePage.fill('#new-group-form input[name=name]', 'Web crew');
    await alicePage.fill('#new-group-form input[name=emails]', bob.email);
    await alicePage.click('#new-group-form button');
    await alicePage.locator('#conversation-title', { hasText: /^Web crew$/ }).waitFor();
    await send(alicePage, 'Welcome to the crew');
    await delivered(alicePage, 'Welcome to the crew').waitFor();

    await conversation(bobPage, 'Web crew').locator('[data-testid=unread]').waitFor();
    await conversation(bobPage, 'Web crew').click();
    await message(bobPage, 'Welcome to the crew').waitFor();
    await send(bobPage, 'Glad to be here');
    await message(alicePage, 'Glad to be here').waitFor();
  });

  it('reconnects by itself after going offline and catches up without duplicates or gaps', async () => {
    await conversation(alicePage, 'bob').click();
    await conversation(bobPage, 'alice').click();
    await message(alicePage, 'Hello Alice, Bob here on B').waitFor();

    await alicePage.context().setOffline(true);
    await status(alicePage, 'Offline').waitFor();
    await send(bobPage, 'Sent while you were offline');
    await delivered(bobPage, 'Sent while you were offline').waitFor();
    // Alice writes while offline: it waits, unacked, and goes out with the same clientMsgId later.
    await send(alicePage, 'Written while offline');
    await alicePage.locator('#message-list .message[data-status=sending]', { has: bodyIs(alicePage, 'Written while offline') }).waitFor();
    expect(await message(alicePage, 'Sent while you were offline').count()).toBe(0);

    await alicePage.context().setOffline(false);
    await status(alicePage, 'Online').waitFor();
    await message(alicePage, 'Sent while you were offline').waitFor();
    await delivered(alicePage, 'Written while offline').waitFor();
    await message(bobPage, 'Written while offline').waitFor();

    // A dropped socket (not the browser going offline): backoff, reconnect, sync.
    await alicePage.evaluate('window.__relay.socket.drop()');
    await send(bobPage, 'Sent right after the drop');
    await message(alicePage, 'Sent right after the drop').waitFor();
    await status(alicePage, 'Online').waitFor();
    await send(alicePage, 'Back for good');
    await message(bobPage, 'Back for good').waitFor();

    for (const page of [alicePage, bobPage]) {
      expect(await seqsShown(page)).toEqual([1, 2, 3, 4, 5, 6]);
      for (const body of ['Sent while you were offline', 'Written while offline', 'Sent right after the drop', 'Back for good']) {
        expect(await message(page, body).count()).toBe(1);
      }
    }
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await alicePage.screenshot({ path: SCREENSHOT });
  });

  it('loads older pages of history when scrolling back', async () => {
    await conversation(alicePage, 'History').locator('[data-testid=unread]', { hasText: String(HISTORY_SIZE) }).waitFor();
    await conversation(alicePage, 'History').click();
    await message(alicePage, `history ${HISTORY_SIZE}`).waitFor();
    expect(await message(alicePage, 'history 1').count()).toBe(0);

    // Scroll to the top until the first message is there: each scroll loads one older page.
    await alicePage.waitForFunction(
      `(() => {
        const list = document.getElementById('message-list');
        list.scrollTop = 0;
        return [...list.querySelectorAll('.body')].some((body) => body.textContent === 'history 1');
      })()`,
      undefined,
      { polling: 100, timeout: 20_000 },
    );
    const seqs = await seqsShown(alicePage);
    expect(seqs).toEqual(Array.from({ length: HISTORY_SIZE }, (_, index) => index + 1));
    expect(pageErrors).toEqual([]);
  });

  it('stays signed in past the access token\'s expiry: the open socket and REST calls move to renewed tokens', async () => {
    const shortLived = await RelayInstance.start({ ...relays.env, INSTANCE_ID: 'web-short-token', JWT_TTL_SECONDS: String(SHORT_TTL_SECONDS) });
    try {
      const [dave, erin] = await Promise.all([api.newUser('dave'), api.newUser('erin')]);
      const conversationId = await api.createGroup(erin, 'Long session', [dave.id]);
      const page = await openPage(await browser.newContext({ viewport: { width: 1100, height: 700 } }), shortLived);
      await logIn(page, dave);
      const firstToken = (await page.evaluate('window.__relay.session.accessToken')) as string;

      // Past the first token's expiry, and past the server's once-a-second expiry check.
      const expiredAt = expiryOf(firstToken) * 1000;
      await page.waitForFunction((at) => Date.now() > at + 1500, expiredAt, { timeout: (SHORT_TTL_SECONDS + 10) * 1000 });
      const erinSocket = await WsTestClient.connect(shortLived.wsUrl, ['access_token', erin.token]);
      await erinSocket.sendMessage(conversationId, 'Still there, Dave', 'long-1');
      await conversation(page, 'Long session').click();
      await message(page, 'Still there, Dave').waitFor();
      await status(page, 'Online').waitFor();
      // The page's socket was told each new token and never had to reopen: one ready for it, one for Erin's.
      expect(await metric(shortLived, 'relay_frames_in_total', 'refresh_token')).toBeGreaterThanOrEqual(1);
      expect(await metric(shortLived, 'relay_frames_out_total', 'ready')).toBe(2);

      // A REST call made with an expired token is renewed on its 401 and sent again.
      await page.evaluate(`window.__relay.api.token = ${JSON.stringify(firstToken)}`);
      await page.fill('#new-direct-form input[name=email]', erin.email);
      await page.click('#new-direct-form button');
      await page.locator('#conversation-title', { hasText: /^erin$/ }).waitFor();
      erinSocket.close();
    } finally {
      await shortLived.stop();
    }
  });
});
