import WebSocket from 'ws';

export interface Frame {
  event: string;
  data: any;
}

type Waiter = { match: (frame: Frame) => boolean; resolve: (frame: Frame) => void };

/**
 * A test WebSocket client that records every frame and lets a test wait for the one it
 * expects (with a timeout) instead of sleeping.
 */
export class WsTestClient {
  readonly frames: Frame[] = [];
  private waiters: Waiter[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as Frame;
      this.frames.push(frame);
      for (const waiter of [...this.waiters]) {
        if (waiter.match(frame)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(frame);
        }
      }
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Opens a socket and waits for the server's `ready` frame. */
  static async connect(url: string, protocols: string | string[], options: WebSocket.ClientOptions = {}): Promise<WsTestClient> {
    const socket = new WebSocket(url, protocols, options);
    const client = new WsTestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    // Frames are recorded from construction, so `ready` cannot be missed.
    await client.next('ready');
    return client;
  }

  get ready(): Frame {
    return this.frames.find((frame) => frame.event === 'ready')!;
  }

  get instanceId(): string {
    return this.ready.data.instanceId;
  }

  send(event: string, data: unknown, id?: string | number): void {
    this.socket.send(JSON.stringify(id === undefined ? { event, data } : { event, data, id }));
  }

  sendRaw(raw: string | Buffer, binary = false): void {
    this.socket.send(raw, { binary });
  }

  /** The first frame of `event` (already received or still to come) that matches. */
  next(event: string, match: (data: any) => boolean = () => true, timeoutMs = 10_000): Promise<Frame> {
    return this.nextWhere((frame) => frame.event === event && match(frame.data), timeoutMs, event);
  }

  /** Like next(), but only frames at index `since` or later in `frames` count. */
  nextWhere(matches: (frame: Frame) => boolean, timeoutMs = 10_000, description = 'a matching frame', since = 0): Promise<Frame> {
    const seen = this.frames.slice(since).find(matches);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match: matches,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${description}; got: ${JSON.stringify(this.frames.slice(-5))}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Sends and resolves with the ack (or rejects with the error) for this clientMsgId. */
  async sendMessage(conversationId: string, body: string, clientMsgId: string): Promise<Frame> {
    const since = this.frames.length;
    this.send('send_message', { conversationId, body, clientMsgId });
    return this.ackOrError(clientMsgId, since);
  }

  /** The ack or error for clientMsgId, among frames from index `since` on (a retry's answer, not an earlier one). */
  async ackOrError(clientMsgId: string, since = 0, timeoutMs = 10_000): Promise<Frame> {
    return this.nextWhere(
      (frame) =>
        (frame.event === 'message_ack' && frame.data.clientMsgId === clientMsgId) ||
        (frame.event === 'error' && frame.data.ref === clientMsgId),
      timeoutMs,
      `the ack or error for ${clientMsgId}`,
      since,
    );
  }

  framesOf(event: string): any[] {
    return this.frames.filter((frame) => frame.event === event).map((frame) => frame.data);
  }

  close(): void {
    this.socket.close();
  }
}
