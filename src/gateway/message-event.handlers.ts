import { Injectable } from '@nestjs/common';
import { ChatNotifier } from '../chat/chat-notifier';
import { DeleteMessageDto, EditMessageDto } from '../chat/dto/change-message.dto';
import { SendDirectMessageDto, SendMessageDto } from '../chat/dto/send-message.dto';
import { fastSendDirectMessage, fastSendMessage } from '../chat/dto/send-message.fast-check';
import { AppendedEntry, MessagesService } from '../chat/messages.service';
import { validatePayload } from '../common/validate-payload';
import { RelayMetrics } from '../metrics/relay-metrics.service';
import { EventHandlerMap } from './event-handler';
import { RelaySocket } from './relay-socket';
import { WsClientManager } from './ws-client-manager.service';

/** Writes to the conversation log: validate, hand to MessagesService, ack after commit, then fan out. */
@Injectable()
export class MessageEventHandlers {
  constructor(
    private readonly messages: MessagesService,
    private readonly clients: WsClientManager,
    private readonly notifier: ChatNotifier,
    private readonly metrics: RelayMetrics,
  ) {}

  readonly handlers: EventHandlerMap = {
    send_message: async (socket, data) => {
      const started = performance.now();
      // The fast check passes over anything unusual to the full validation and its exact error.
      const dto = fastSendMessage(data) ?? (await validatePayload(SendMessageDto, data));
      this.ackAndFanOut(socket, await this.messages.send({ senderId: socket.userId, ...dto }), started);
    },
    send_chat_message_to_participant: async (socket, data) => {
      const started = performance.now();
      const dto = fastSendDirectMessage(data) ?? (await validatePayload(SendDirectMessageDto, data));
      this.ackAndFanOut(socket, await this.messages.sendDirect(socket.userId, dto.participantId, dto.message, dto.clientMsgId), started);
    },
    edit_message: async (socket, data) => {
      const dto = await validatePayload(EditMessageDto, data);
      this.ackAndFanOut(socket, await this.messages.edit({ senderId: socket.userId, ...dto }));
    },
    delete_message: async (socket, data) => {
      const dto = await validatePayload(DeleteMessageDto, data);
      this.ackAndFanOut(socket, await this.messages.remove({ senderId: socket.userId, ...dto }));
    },
  };

  /**
   * Runs only after the transaction committed: the ack is the durability promise. `sendStartedAt`
   * (sends only) times the send-to-ack latency.
   */
  private ackAndFanOut(socket: RelaySocket, appended: AppendedEntry, sendStartedAt?: number): void {
    const { entry } = appended;
    this.clients.reply(socket, 'message_ack', {
      clientMsgId: entry.clientMsgId,
      id: entry.id,
      conversationId: entry.conversationId,
      seq: entry.seq,
      createdAt: entry.createdAt,
      duplicate: appended.duplicate,
    });
    if (sendStartedAt !== undefined) this.metrics.sendAcked(sendStartedAt);
    this.notifier.entriesAppended([appended], socket.connectionId);
  }
}
