import type { TestUser } from './api-client';
import type { RelayInstance } from './relay-instance';
import { WsTestClient } from './ws-client';

/** Opens authenticated sockets for a test file and closes them all at the end (afterAll). */
export class OpenSockets {
  private readonly sockets: WsTestClient[] = [];

  /** A socket for `user` on `instance`, open and past its `ready` frame. */
  readonly connect = async (user: TestUser, instance: Pick<RelayInstance, 'wsUrl'>): Promise<WsTestClient> => {
    const socket = await WsTestClient.connect(instance.wsUrl, ['access_token', user.token]);
    this.sockets.push(socket);
    return socket;
  };

  closeAll(): void {
    for (const socket of this.sockets.splice(0)) socket.close();
  }
}
