import { AppendedEntry } from './messages.service';

/**
 * How chat tells members' devices about new log entries. Chat defines this port; the gateway
 * implements it with sockets and the cross-instance relay, so chat never imports the gateway.
 */
export abstract class ChatNotifier {
  /** Sends each entry to every device of its members, except `exceptConnectionId` (the author's socket). */
  abstract entriesAppended(entries: AppendedEntry[], exceptConnectionId?: string): void;
}
