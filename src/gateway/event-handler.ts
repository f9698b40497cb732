import type { ClientEventName } from './ws-protocol';
import type { RelaySocket } from './relay-socket';

/** Handles one client event's `data` (not yet validated) for one socket. */
export type EventHandler = (socket: RelaySocket, data: unknown) => Promise<void>;

export type EventHandlerMap = Partial<Record<ClientEventName, EventHandler>>;
