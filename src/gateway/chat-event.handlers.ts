import { Injectable } from '@nestjs/common';
import { SendDirectMessageDto, SendMessageDto } from '../chat/dto/send-message.dto';
import { MessagesService, SentMessage } from '../chat/messages.service';
import { validatePayload } from '../common/validate-payload';
import { RelaySocket } from './relay-socket';
import { WsClientManager } from './ws-client-manager.service';
import { ClientEventName } from './ws-protocol';

export type EventHandler = (socket: RelaySocket, data: unknown) => Promise<void>;

/** Chat events: validate, hand to MessagesService, ack after commit, then fan out. */
@Injectable()
export class ChatEventHandlers {
  constructor(
    private readonly messages: MessagesService,
    private readonly clients: WsClientManager,
  ) {}

  readonly handlers: Record<ClientEventName, EventHandler> = {
    send_message: async (socket, data) => {
      const dto = await validatePayload(SendMessageDto, data);
      const sent = await this.messages.send({ senderId: socket.userId, ...dto });
      this.ackAndFanOut(socket, sent);
    },
    send_chat_message_to_participant: async (socket, data) => {
      const dto = await validatePayload(SendDirectMessageDto, data);
      const sent = await this.messages.sendDirect(socket.userId, dto.participantId, dto.message, dto.clientMsgId);
      this.ackAndFanOut(socket, sent);
    },
  };

  /** Runs only after the transaction committed: the ack is the durability promise. */
  private ackAndFanOut(socket: RelaySocket, sent: SentMessage): void {
    const { message } = sent;
    this.clients.reply(socket, 'message_ack', {
      clientMsgId: message.clientMsgId,
      id: message.id,
      conversationId: message.conversationId,
      seq: message.seq,
      createdAt: message.createdAt,
      duplicate: sent.duplicate,
    });
    // A retry was already fanned out by the original send.
    if (!sent.duplicate) this.clients.sendToSome(sent.memberIds, 'message', message, socket);
  }
}
