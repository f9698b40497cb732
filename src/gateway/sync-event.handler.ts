import { Injectable } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { SyncDto } from '../chat/dto/conversation-signal.dto';
import { MessageDto } from '../chat/dto/message.dto';
import { MessageHistoryService, SyncState } from '../chat/message-history.service';
import { DomainError } from '../common/domain-error';
import { validatePayload } from '../common/validate-payload';
import { RelayMetrics } from '../metrics/relay-metrics.service';
import { EventHandlerMap } from './event-handler';
import { RelaySocket } from './relay-socket';
import { WsClientManager } from './ws-client-manager.service';
import { PresenceTracker } from './presence-tracker.service';

const PAGE_SIZE = 200;
/** A page's bodies, at most (one longer entry still makes a page): what one catch-up holds in memory. */
const PAGE_BYTES = 256 * 1024;
const MAX_CURSORS = 10_000;
/**
 * Catch-up waits while this much is still unsent, so a huge backlog never piles up in memory and
 * a syncing socket stays well under the slow-consumer bound (SLOW_CONSUMER_BYTES, 1 MiB).
 */
const HIGH_WATER_BYTES = 512 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Catch-up: streams every log entry after the client's cursors, in seq order, page by page,
 * then `sync_done`. The socket was registered for live delivery (locally, and in the shared
 * routing sets) before this query runs, so an entry committed meanwhile arrives live, in
 * catch-up, or both (the client drops seqs it already has) and never falls between the two.
 */
@Injectable()
export class SyncEventHandler {
  constructor(
    private readonly history: MessageHistoryService,
    private readonly clients: WsClientManager,
    private readonly presence: PresenceTracker,
    private readonly metrics: RelayMetrics,
  ) {}

  readonly handlers: EventHandlerMap = {
    sync: async (socket, data) => {
      const cursors = validCursors((await validatePayload(SyncDto, data)).cursors ?? {});
      await this.presence.settled(socket.userId);
      const states = await this.history.syncState(socket.userId);
      let streamed = 0;
      for (const state of states) {
        streamed += await this.catchUp(socket, state, cursors[state.conversationId] ?? state.lastReadSeq);
        if (socket.readyState !== WebSocket.OPEN) return;
      }
      this.clients.reply(socket, 'sync_done', {
        conversations: Object.fromEntries(states.map((state) => [state.conversationId, state.lastSeq])),
      });
      this.metrics.syncStreamed(streamed);
    },
  };

  /** Returns how many entries it wrote. */
  private async catchUp(socket: RelaySocket, state: SyncState, fromSeq: number): Promise<number> {
    let after = fromSeq;
    let streamed = 0;
    while (after < state.lastSeq && socket.readyState === WebSocket.OPEN) {
      const page = await this.history.catchUpPage(state.conversationId, after, PAGE_SIZE, PAGE_BYTES);
      if (page.length === 0) break;
      for (const entry of page) {
        // Per entry, not per page: a page of long messages (200 x 60 KB) written at once would
        // sit unsent past SLOW_CONSUMER_BYTES, and the next live frame would cut off a client
        // that is reading as fast as it can.
        if (socket.bufferedAmount > HIGH_WATER_BYTES) await drained(socket);
        if (socket.readyState !== WebSocket.OPEN) return streamed;
        this.clients.reply(socket, 'message', MessageDto.from(entry));
        streamed++;
      }
      after = page[page.length - 1].seq;
    }
    return streamed;
  }
}

/** Resolves once the socket's unsent bytes are back under HIGH_WATER_BYTES, or it closed. */
async function drained(socket: RelaySocket): Promise<void> {
  while (socket.bufferedAmount > HIGH_WATER_BYTES && socket.readyState === WebSocket.OPEN) await delay(5);
}

function validCursors(cursors: Record<string, unknown>): Record<string, number> {
  const entries = Object.entries(cursors);
  if (entries.length > MAX_CURSORS) throw new DomainError('validation_failed', `At most ${MAX_CURSORS} cursors`);
  for (const [conversationId, seq] of entries) {
    if (!UUID.test(conversationId) || !Number.isSafeInteger(seq) || (seq as number) < 0) {
      throw new DomainError('validation_failed', 'cursors must map conversation ids to non-negative integer seqs');
    }
  }
  return cursors as Record<string, number>;
}
