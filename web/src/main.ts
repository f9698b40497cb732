import { Api, ApiError } from './api.js';
import { Delivery } from './delivery.js';
import type { LoginResult, User } from './protocol.js';
import { Session } from './session.js';
import { Socket } from './socket.js';
import { Store } from './store.js';
import { Actions, View } from './view.js';

const SESSION_KEY = 'relay.session';
const PAGE_SIZE = 50;

const store = new Store();
const api = new Api();
const socket = new Socket();
const delivery = new Delivery(store, api, socket);
const session = new Session((refreshToken) => api.refresh(refreshToken), sessionStorage, SESSION_KEY);

/** Signed in (a login, or this tab's session after a reload): load the conversations and connect. */
async function enter(): Promise<void> {
  const user = session.user!;
  if (session.expired && !(await session.renew())) return;
  api.token = session.accessToken;
  const conversations = await api.conversations();
  store.me = user;
  // What came before the listing is history (paged on demand); the cursor starts at lastSeq.
  for (const info of conversations) store.add(info, info.lastSeq);
  socket.start(session.accessToken!);
  await delivery.refreshPresence([...store.conversations.values()]);
}

function leave(reason = ''): void {
  socket.stop();
  delivery.reset();
  session.end();
  api.token = null;
  store.reset();
  (document.getElementById('login-error') as HTMLElement).textContent = reason;
}

async function findUsers(emails: string[]): Promise<User[]> {
  return Promise.all(
    emails.map((email) =>
      api.findUserByEmail(email).catch((error: unknown) => {
        throw error instanceof ApiError && error.code === 'user_not_found' ? new Error(`No user has the email ${email}`) : error;
      }),
    ),
  );
}

const actions: Actions = {
  async login(email, password) {
    const { user, ...tokens }: LoginResult = await api.login(email, password);
    session.begin(user, tokens);
    await enter();
  },
  async register(email, password, displayName) {
    await api.register(email, password, displayName || undefined);
    await actions.login(email, password);
  },
  logout: () => leave(),
  open(conversationId) {
    store.openId = conversationId;
    store.draftPeer = null;
    store.changed();
    void fillScreen();
  },
  send(body) {
    if (store.open) delivery.send({ conversationId: store.open.id }, body);
    else if (store.draftPeer) delivery.send({ participantId: store.draftPeer.id }, body);
  },
  typing() {
    if (store.open) delivery.typing(store.open.id);
  },
  async startDirect(email) {
    const [peer] = await findUsers([email]);
    if (peer.id === store.me?.id) throw new Error('That is you');
    const existing = store.directWith(peer.id);
    if (existing) return actions.open(existing.id);
    // The conversation is created by the first message (send_chat_message_to_participant).
    store.openId = null;
    store.draftPeer = peer;
    store.changed();
  },
  async createGroup(name, emails) {
    if (emails.length === 0) throw new Error('Add at least one member email');
    const members = await findUsers(emails);
    const info = await api.createGroup(name, members.map((member) => member.id));
    if (!store.conversations.has(info.id)) store.add(info, info.lastSeq);
    actions.open(info.id);
    await delivery.refreshPresence([store.conversations.get(info.id)!]);
  },
  async loadOlder() {
    const log = store.open;
    if (!log || !log.hasOlder || log.loadingOlder) return;
    log.loadingOlder = true;
    store.changed();
    try {
      const asOf = log.cursor;
      const page = await api.messagesBefore(log.id, log.olderThan, PAGE_SIZE);
      log.addHistory(page.messages, asOf, page.nextCursor === null);
    } finally {
      log.loadingOlder = false;
      store.changed();
    }
    if (store.open === log) await fillScreen();
  },
};

/** Loads older pages until the message list scrolls (or there is no more), once it has rendered. */
async function fillScreen(): Promise<void> {
  await Promise.resolve(); // the render queued by store.changed() runs first
  if (view.needsMoreHistory()) await actions.loadOlder();
}

const view = new View(store, actions);
api.renew = () => session.renew();
session.onRenewed = (accessToken) => {
  api.token = accessToken;
  socket.renew(accessToken);
};
session.onEnded = (reason) => leave(reason);
// If the renewal fails for now (network), the session retries by itself and onRenewed follows.
socket.onTokenExpired = () => void session.renew().catch(() => undefined);
socket.onEnded = (reason) => leave(reason);

// Reading the open conversation marks it read, once the tab is visible.
store.subscribe(() => {
  if (store.open && document.visibilityState === 'visible') delivery.markRead(store.open);
});
document.addEventListener('visibilitychange', () => store.changed());

// A debug handle (used by the end-to-end test to simulate a dropped connection).
(window as unknown as { __relay: unknown }).__relay = { store, socket, delivery, session, api };

if (session.restore()) {
  enter().catch(() => leave());
} else {
  view.render();
}
