import type { Entry } from './protocol.js';
import type { ConversationLog, PendingSend, Store } from './store.js';

export interface Actions {
  login(email: string, password: string): Promise<void>;
  register(email: string, password: string, displayName: string): Promise<void>;
  logout(): void;
  open(conversationId: string): void;
  send(body: string): void;
  typing(): void;
  startDirect(email: string): Promise<void>;
  createGroup(name: string, emails: string[]): Promise<void>;
  loadOlder(): Promise<void>;
}

const STATUS_TEXT: Record<Store['status'], string> = {
  offline: 'Offline',
  connecting: 'Connecting…',
  syncing: 'Catching up…',
  online: 'Online',
  reconnecting: 'Reconnecting…',
};

/** Renders the store into the page. User text only ever goes through textContent. */
export class View {
  private readonly byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
  private readonly messages = this.byId<HTMLOListElement>('message-list');

  constructor(
    private readonly store: Store,
    private readonly actions: Actions,
  ) {
    store.subscribe(() => this.render());
    this.bindForms();
    this.messages.addEventListener('scroll', () => {
      if (this.messages.scrollTop < 60) void this.actions.loadOlder();
    });
  }

  render(): void {
    const signedIn = this.store.me !== null;
    this.byId('login-screen').hidden = signedIn;
    this.byId('chat-screen').hidden = !signedIn;
    if (!signedIn) return;
    this.byId('me-name').textContent = this.store.me?.displayName ?? '';
    const status = this.byId('connection-status');
    status.textContent = STATUS_TEXT[this.store.status];
    status.dataset.status = this.store.status;
    this.renderList();
    this.renderPane();
  }

  /** After older messages were added: load more at once if the list does not scroll yet. */
  needsMoreHistory(): boolean {
    return this.messages.scrollHeight <= this.messages.clientHeight;
  }

  private renderList(): void {
    const items = this.store.sorted().map((log) => {
      const item = el('li', 'conversation');
      item.dataset.conversationId = log.id;
      item.classList.toggle('active', log.id === this.store.openId);
      item.append(this.presenceDot(log), el('span', 'conversation-title', this.store.titleOf(log)));
      if (log.unread > 0 && log.id !== this.store.openId) {
        const badge = el('span', 'unread-badge', String(log.unread));
        badge.dataset.testid = 'unread';
        item.append(badge);
      }
      const latest = log.latestMessage();
      item.append(el('span', 'conversation-preview', latest ? this.preview(latest) : ''));
      item.addEventListener('click', () => this.actions.open(log.id));
      return item;
    });
    this.byId('conversation-list').replaceChildren(...items);
  }

  private presenceDot(log: ConversationLog): HTMLElement {
    const others = log.info.members.filter((member) => member.id !== this.store.me?.id);
    const online = others.filter((member) => this.store.online.get(member.id)).length;
    const dot = el('span', `presence ${online > 0 ? 'online' : 'offline'}`);
    dot.title = log.info.kind === 'direct' ? (online ? 'online' : 'offline') : `${online} of ${others.length} online`;
    return dot;
  }

  private preview(entry: Entry): string {
    const text = entry.body ?? 'message deleted';
    return `${this.store.nameOf(entry.senderId)}: ${text}`;
  }

  private renderPane(): void {
    const log = this.store.open;
    const peer = this.store.draftPeer;
    this.byId('empty-pane').hidden = log !== null || peer !== null;
    this.byId('conversation').hidden = log === null && peer === null;
    if (!log && !peer) return;
    this.byId('conversation-title').textContent = log ? this.store.titleOf(log) : (peer?.displayName ?? '');
    this.renderMembers(log);
    const pending = [...this.store.pending.values()].filter((send) =>
      log ? send.conversationId === log.id : send.participantId === peer?.id,
    );
    this.renderMessages(log, pending);
    const typing = log ? [...log.typing].filter(([, until]) => until > Date.now()).map(([id]) => this.store.nameOf(id)) : [];
    this.byId('typing-indicator').textContent =
      typing.length === 0 ? '' : `${typing.join(', ')} ${typing.length === 1 ? 'is' : 'are'} typing…`;
    this.byId<HTMLButtonElement>('send-button').disabled = log?.left ?? false;
  }

  private renderMembers(log: ConversationLog | null): void {
    const members = (log?.info.members ?? []).filter((member) => member.id !== this.store.me?.id);
    const items = members.map((member) => {
      const online = this.store.online.get(member.id) === true;
      const chip = el('span', `member ${online ? 'online' : 'offline'}`, member.displayName);
      chip.title = online ? 'online' : 'offline';
      return chip;
    });
    this.byId('conversation-members').replaceChildren(...items);
  }

  /** Rebuilt whole, keeping the reader where they were: at the bottom, or on the same message. */
  private renderMessages(log: ConversationLog | null, pending: PendingSend[]): void {
    const list = this.messages;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const fromBottom = list.scrollHeight - list.scrollTop;
    const rows: HTMLElement[] = [];
    if (log?.hasOlder) rows.push(el('li', 'history-marker', log.loadingOlder ? 'Loading older messages…' : 'Scroll up for older messages'));
    const entries = log ? [...log.entries.values()].filter((entry) => entry.seq <= log.cursor).sort((a, b) => a.seq - b.seq) : [];
    for (const entry of entries) {
      if (entry.kind === 'message') rows.push(this.messageRow(entry.senderId, entry.body, entry.createdAt, entry));
      else if (entry.kind === 'member_added' || entry.kind === 'member_removed') rows.push(this.eventRow(entry));
    }
    for (const send of pending) {
      const row = this.messageRow(this.store.me?.id ?? '', send.body, null, null);
      row.dataset.status = send.failed ? 'failed' : 'sending';
      if (send.failed) row.append(el('span', 'send-error', `Not sent: ${send.failed}`));
      rows.push(row);
    }
    list.replaceChildren(...rows);
    list.scrollTop = atBottom ? list.scrollHeight : list.scrollHeight - fromBottom;
  }

  private messageRow(senderId: string, body: string | null, createdAt: string | null, entry: Entry | null): HTMLElement {
    const row = el('li', `message ${senderId === this.store.me?.id ? 'mine' : 'theirs'}`);
    if (entry) row.dataset.seq = String(entry.seq);
    const time = el('time', 'time', createdAt ? new Date(createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '…');
    if (createdAt) time.dateTime = createdAt;
    row.append(el('span', 'author', this.store.nameOf(senderId)), el('span', 'body', body ?? 'message deleted'), time);
    if (entry?.deletedAt) row.classList.add('deleted');
    if (entry?.editedAt && !entry.deletedAt) row.append(el('span', 'edited', '(edited)'));
    return row;
  }

  private eventRow(entry: Entry): HTMLElement {
    const who = this.store.nameOf(entry.subjectUserId ?? '');
    return el('li', 'event', entry.kind === 'member_added' ? `${who} joined` : `${who} left`);
  }

  private bindForms(): void {
    const loginForm = this.byId<HTMLFormElement>('login-form');
    const field = (form: HTMLFormElement, name: string) => (form.elements.namedItem(name) as HTMLInputElement).value.trim();
    onSubmit(loginForm, 'login-error', async (event) => {
      const email = field(loginForm, 'email');
      const password = (loginForm.elements.namedItem('password') as HTMLInputElement).value;
      if ((event.submitter as HTMLButtonElement | null)?.value === 'register') {
        await this.actions.register(email, password, field(loginForm, 'displayName'));
      } else {
        await this.actions.login(email, password);
      }
      loginForm.reset();
    });
    this.byId('logout').addEventListener('click', () => this.actions.logout());

    const directForm = this.byId<HTMLFormElement>('new-direct-form');
    onSubmit(directForm, 'sidebar-error', async () => {
      await this.actions.startDirect(field(directForm, 'email'));
      directForm.reset();
    });
    const groupForm = this.byId<HTMLFormElement>('new-group-form');
    onSubmit(groupForm, 'sidebar-error', async () => {
      const emails = field(groupForm, 'emails').split(/[\s,;]+/).filter(Boolean);
      await this.actions.createGroup(field(groupForm, 'name'), emails);
      groupForm.reset();
    });

    const composer = this.byId<HTMLFormElement>('composer');
    const input = composer.elements.namedItem('body') as HTMLTextAreaElement;
    const submit = () => {
      const body = input.value.trim();
      if (!body) return;
      this.actions.send(body);
      input.value = '';
    };
    composer.addEventListener('submit', (event) => {
      event.preventDefault();
      submit();
    });
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        submit();
      }
    });
    input.addEventListener('input', () => this.actions.typing());
  }
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

/** Runs the handler on submit, showing its error (if any) in the element with id `errorId`. */
function onSubmit(form: HTMLFormElement, errorId: string, handler: (event: SubmitEvent) => Promise<void>): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const error = document.getElementById(errorId) as HTMLElement;
    error.textContent = '';
    const button = event.submitter as HTMLButtonElement | null;
    if (button) button.disabled = true;
    handler(event)
      .catch((failure: Error) => (error.textContent = failure.message))
      .finally(() => button && (button.disabled = false));
  });
}
