import { randomInt } from 'node:crypto';
import WebSocket from 'ws';
import { TestUser } from './api-client';

export interface AckedSend {
  clientMsgId: string;
  id: string;
  seq: number;
}

/**
 * A sender that follows the contract's retry rule: a send without an ack (timeout, error,
 * dropped socket) is sent again with the same clientMsgId until acked. It also misbehaves on
 * purpose: it drops its socket right after sending and re-sends already-acked messages.
 */
export class RetryingSender {
  private socket?: WebSocket;
  private waiting?: { clientMsgId: string; resolve: (frame: { event: string; data: any }) => void; reject: (error: Error) => void };
  readonly acked: AckedSend[] = [];
  retries = 0;
  duplicatesAnswered = 0;

  constructor(
    readonly user: TestUser,
    private readonly pickUrl: () => string,
  ) {}

  async sendAll(conversationId: string, count: number, shouldStop: () => boolean): Promise<void> {
    for (let i = 1; i <= count && !shouldStop(); i++) {
      const clientMsgId = `${this.user.displayName}-${i}`;
      const ack = await this.sendUntilAcked(conversationId, `${clientMsgId} body`, clientMsgId, shouldStop);
      if (!ack) return;
      this.acked.push(ack);
      if (randomInt(10) === 0) {
        // A retry of something already acked must answer the same message, marked duplicate.
        const again = await this.sendUntilAcked(conversationId, `${clientMsgId} body`, clientMsgId, shouldStop);
        if (again && (again.id !== ack.id || again.seq !== ack.seq)) throw new Error(`retry of ${clientMsgId} answered a different message`);
      }
    }
  }

  close(): void {
    this.socket?.terminate();
  }

  private async sendUntilAcked(conversationId: string, body: string, clientMsgId: string, shouldStop: () => boolean): Promise<AckedSend | null> {
    for (let attempt = 0; !shouldStop(); attempt++) {
      if (attempt > 0) this.retries++;
      try {
        const socket = await this.ensureConnected();
        const answer = this.answerFor(clientMsgId, 3000);
        socket.send(JSON.stringify({ event: 'send_message', data: { conversationId, body, clientMsgId } }));
        if (randomInt(12) === 0) socket.terminate(); // lost before the ack arrives
        const frame = await answer;
        if (frame.event === 'message_ack') {
          if (frame.data.duplicate) this.duplicatesAnswered++;
          return { clientMsgId, id: frame.data.id, seq: frame.data.seq };
        }
        if (!frame.data.retryable) throw new Error(`send ${clientMsgId} refused: ${JSON.stringify(frame.data)}`);
      } catch (error) {
        if ((error as Error).message.startsWith('send ')) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 + randomInt(100))); // retry backoff, as a client would
    }
    return null;
  }

  private answerFor(clientMsgId: string, timeoutMs: number): Promise<{ event: string; data: any }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer')), timeoutMs);
      this.waiting = {
        clientMsgId,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  private async ensureConnected(): Promise<WebSocket> {
    if (this.socket?.readyState === WebSocket.OPEN) return this.socket;
    const socket = new WebSocket(this.pickUrl(), ['access_token', this.user.token]);
    socket.on('error', () => undefined);
    socket.on('close', () => this.waiting?.reject(new Error('closed')));
    socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as { event: string; data: any };
      const matches = (frame.event === 'message_ack' && frame.data.clientMsgId === this.waiting?.clientMsgId) || (frame.event === 'error' && frame.data.ref === this.waiting?.clientMsgId);
      if (matches) this.waiting?.resolve(frame);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    this.socket = socket;
    return socket;
  }
}
