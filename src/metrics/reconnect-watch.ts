/** The part of an ioredis client this needs: its status and its `ready` event. */
export interface ReadyEmitter {
  readonly status: string;
  on(event: 'ready', listener: () => void): unknown;
}

/**
 * Calls `onReconnect` each time the client becomes ready again after having been ready: ioredis
 * emits `ready` on the first connect and after every reconnect, and only the latter count.
 */
export function watchReconnects(client: ReadyEmitter, onReconnect: () => void): void {
  let wasReady = client.status === 'ready';
  client.on('ready', () => {
    if (wasReady) onReconnect();
    wasReady = true;
  });
}
