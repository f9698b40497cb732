import { Injectable } from '@nestjs/common';
import { ConversationsService } from '../chat/conversations.service';
import { MarkReadDto, TypingDto } from '../chat/dto/conversation-signal.dto';
import { ReadCursorService } from '../chat/read-cursor.service';
import { DomainError } from '../common/domain-error';
import { validatePayload } from '../common/validate-payload';
import { EventHandlerMap } from './event-handler';
import { WsClientManager } from './ws-client-manager.service';

/** Signals about a conversation that are not log entries: read receipts and typing. */
@Injectable()
export class ConversationEventHandlers {
  constructor(
    private readonly reads: ReadCursorService,
    private readonly conversations: ConversationsService,
    private readonly clients: WsClientManager,
  ) {}

  readonly handlers: EventHandlerMap = {
    mark_read: async (socket, data) => {
      const { conversationId, seq } = await validatePayload(MarkReadDto, data);
      const moved = await this.reads.markRead(socket.userId, conversationId, seq);
      const read = { conversationId, userId: socket.userId, seq: moved.lastReadSeq };
      // Every member's devices learn the new cursor (the reader's other devices clear their
      // badges); an unchanged cursor is only confirmed to the asking socket.
      if (moved.changed) this.clients.sendToSome(moved.memberIds, 'read', read);
      else this.clients.reply(socket, 'read', read);
    },
    typing: async (socket, data) => {
      const { conversationId } = await validatePayload(TypingDto, data);
      if (!socket.typingBucket.take()) throw new DomainError('rate_limited', 'Too many typing events; slow down');
      const members = await this.conversations.membersFor(conversationId, socket.userId);
      const others = members.filter((userId) => userId !== socket.userId);
      // Never stored: a typing indicator is only worth anything live.
      this.clients.sendToSome(others, 'typing', { conversationId, userId: socket.userId });
    },
  };
}
