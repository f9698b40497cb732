import WebSocket from 'ws';
import { ApiClient, TestUser } from './api-client';

type Entry = { id: string; conversationId: string; seq: number; kind: string; body: string | null; clientMsgId: string | null };

/**
 * A client that follows Relay's delivery contract (README, "Delivery contract"): sync with
 * per-conversation cursors on every connect and on `resync`, apply entries in seq order
 * exactly once, and fill any gap from REST history. Its final state is what a user would see.
 */
export class ReliableClient {
  private socket?: WebSocket;
  private readonly entries = new Map<string, Map<number, Entry>>();
  private readonly cursor = new Map<string, number>();
  private readonly fetching = new Set<string>();
  private syncDone?: (lastSeqs: Record<string, number>) => void;
  redeliveries = 0;
  connects = 0;

  constructor(
    readonly user: TestUser,
    private readonly api: () => ApiClient,
    conversationIds: string[],
  ) {
    for (const id of conversationIds) {
      this.entries.set(id, new Map());
      this.cursor.set(id, 0);
    }
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  async connect(wsUrl: string): Promise<void> {
    const socket = new WebSocket(wsUrl, ['access_token', this.user.token]);
    this.socket = socket;
    socket.on('message', (raw) => this.onFrame(JSON.parse(raw.toString()) as { event: string; data: any }));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('close', () => reject(new Error('closed during connect')));
    });
    this.connects++;
    this.sync();
  }

  /** An abrupt drop, as when a phone loses its network. */
  drop(): void {
    this.socket?.terminate();
  }

  /** Final catch-up: a sync to completion, then every gap filled; resolves with the server's lastSeqs. */
  async settle(): Promise<Record<string, number>> {
    const lastSeqs = await new Promise<Record<string, number>>((resolve) => {
      this.syncDone = resolve;
      this.sync();
    });
    for (const [conversationId, lastSeq] of Object.entries(lastSeqs)) {
      while ((this.cursor.get(conversationId) ?? 0) < lastSeq) await this.fillGap(conversationId, true);
    }
    return lastSeqs;
  }

  /** The conversation as this client holds it, in the order it applied entries (by seq). */
  log(conversationId: string): Entry[] {
    return [...(this.entries.get(conversationId)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
  }

  private sync(): void {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    this.socket.send(JSON.stringify({ event: 'sync', data: { cursors: Object.fromEntries(this.cursor) } }));
  }

  private onFrame(frame: { event: string; data: any }): void {
    if (frame.event === 'message') this.apply(frame.data as Entry);
    else if (frame.event === 'resync') this.sync();
    else if (frame.event === 'sync_done') this.syncDone?.(frame.data.conversations);
  }

  private apply(entry: Entry): void {
    const known = this.entries.get(entry.conversationId);
    if (!known) return;
    if (known.has(entry.seq)) {
      this.redeliveries++;
      return;
    }
    known.set(entry.seq, entry);
    let cursor = this.cursor.get(entry.conversationId) ?? 0;
    while (known.has(cursor + 1)) cursor++;
    this.cursor.set(entry.conversationId, cursor);
    // A seq beyond the next one means a live frame was lost: fetch the range.
    if (entry.seq > cursor + 1 || [...known.keys()].some((seq) => seq > cursor)) void this.fillGap(entry.conversationId).catch(() => undefined);
  }

  private async fillGap(conversationId: string, force = false): Promise<void> {
    if (this.fetching.has(conversationId) && !force) return;
    this.fetching.add(conversationId);
    try {
      const after = this.cursor.get(conversationId) ?? 0;
      const page = await this.api().request('GET', `/conversations/${conversationId}/messages?afterSeq=${after}&limit=200`, undefined, this.user.token);
      if (page.status === 200) for (const entry of page.body.messages as Entry[]) this.apply(entry);
    } finally {
      this.fetching.delete(conversationId);
    }
  }
}
