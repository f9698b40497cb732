import { Injectable } from '@nestjs/common';
import { ChatNotifier } from '../chat/chat-notifier';
import { AppendedEntry } from '../chat/messages.service';
import { WsClientManager } from './ws-client-manager.service';

/** ChatNotifier over sockets: each new log entry goes to every device of its members. */
@Injectable()
export class SocketChatNotifier extends ChatNotifier {
  constructor(private readonly clients: WsClientManager) {
    super();
  }

  entriesAppended(entries: AppendedEntry[], exceptConnectionId?: string): void {
    for (const { entry, memberIds, duplicate } of entries) {
      // A retry was already fanned out by the original write.
      if (!duplicate) this.clients.sendToSome(memberIds, 'message', entry, exceptConnectionId);
    }
  }
}
