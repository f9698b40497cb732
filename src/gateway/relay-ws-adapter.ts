import { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { WebSocketServer } from 'ws';
import { AppConfig } from '../config/app-config';
import { WsHandshakeService } from './ws-handshake.service';
import { CLOSE_CODES } from './ws-protocol';
import type { RelaySocket } from './relay-socket';

const CLOSE_GRACE_MS = 2000;
/** Longest wait for in-flight frames at shutdown; a send is normally a few ms. */
const DRAIN_MS = 5000;

type VerifyClientCallback = (result: boolean, code?: number, message?: string) => void;

/**
 * Nest's ws adapter with Relay's handshake: refuses bad tokens and origins with an HTTP status
 * before the upgrade, selects the subprotocol, and caps frame size (ws closes with 1009).
 * Message routing is done by RelayGateway itself, so Nest's JSON routing is switched off:
 * it silently drops malformed frames, and Relay answers every frame.
 */
export class RelayWsAdapter extends WsAdapter {
  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  override create(port: number, options: Record<string, unknown> = {}): unknown {
    const handshake = this.app.get(WsHandshakeService);
    const config = this.app.get(AppConfig);
    return super.create(port, {
      ...options,
      maxPayload: config.wsMaxPayloadBytes,
      // The per-message deflate extension costs memory per socket and CPU per frame; chat
      // frames are small. Keep it off: WsClientManager writes prebuilt frames straight to the
      // TCP socket (ws-text-frame.ts), which stays in order with ws's own only while ws writes
      // synchronously, and with deflate on it would not.
      perMessageDeflate: false,
      handleProtocols: (protocols: Set<string>) => handshake.selectProtocol(protocols),
      verifyClient: (info: { req: IncomingMessage }, done: VerifyClientCallback) => {
        const result = handshake.check(info.req);
        if (result.ok) done(true);
        else done(false, result.status, result.reason);
      },
    });
  }

  override bindMessageHandlers(): void {}

  /**
   * On shutdown, first let the frames each socket already sent finish (their sends commit and
   * are acked), then close every socket with 1012 (service restart) so clients reconnect at
   * once, to another instance, instead of seeing an abnormal 1006. Stragglers are terminated.
   */
  override async close(server: WebSocketServer): Promise<void> {
    const inFlight = [...server.clients].map((client) => (client as RelaySocket).pending ?? Promise.resolve());
    await Promise.race([Promise.all(inFlight), new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref())]);
    const closing = [...server.clients].map((client) => {
      const closed = once(client, 'close');
      client.close(CLOSE_CODES.serviceRestart, 'Server restarting; reconnect');
      return closed;
    });
    await Promise.race([Promise.all(closing), new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())]);
    await super.close(server);
  }
}
