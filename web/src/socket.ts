import { CLOSE_SERVICE_RESTART, CLOSE_SESSION_ENDED, CLOSE_TOKEN_EXPIRED, WS_PATH } from './protocol.js';
import type { ServerFrame } from './protocol.js';
import type { ConnectionStatus } from './store.js';

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 15_000;
const OPEN_TIMEOUT_MS = 10_000;

/** Exponential backoff with "equal jitter": half the ceiling fixed, half random, so clients spread out. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return ceiling / 2 + (random() * ceiling) / 2;
}

/**
 * The WebSocket to the instance that served the page, kept open: after a drop it reconnects by
 * itself with jittered exponential backoff (at once after 1012, when the browser comes back
 * online, or on reconnectNow), and gives up only when the session is over (4003). A renewed
 * access token is handed to the open socket (`refresh_token`) so it is not closed at the old
 * token's expiry; if the token expires anyway (a laptop asleep), it waits for a new one.
 */
export class Socket {
  onReady: () => void = () => undefined;
  onFrame: (frame: ServerFrame) => void = () => undefined;
  onClosed: () => void = () => undefined;
  onStatus: (status: ConnectionStatus) => void = () => undefined;
  /** The session is over: `reason` is what to tell the user. */
  onEnded: (reason: string) => void = () => undefined;
  /** The access token has expired: renew it and call renew(), or end the session. */
  onTokenExpired: () => void = () => undefined;
  private ws: WebSocket | null = null;
  private ready = false;
  private running = false;
  private attempt = 0;
  private token: string | null = null;
  /** Closed, or never opened, because the token expired: renew() reconnects. */
  private awaitingToken = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    window.addEventListener('online', () => this.reconnectNow());
    window.addEventListener('offline', () => this.ws?.close(4000, 'browser offline'));
  }

  /** Open for frames: the server has sent `ready` on the current socket. */
  get isReady(): boolean {
    return this.ready;
  }

  start(token: string): void {
    this.token = token;
    this.running = true;
    this.attempt = 0;
    this.awaitingToken = false;
    this.connect();
  }

  /** A new access token: the open socket is told, so it lives on past the old one's expiry; a waiting one reconnects with it. */
  renew(token: string): void {
    this.token = token;
    if (this.awaitingToken) {
      this.awaitingToken = false;
      this.connect();
    } else {
      this.send('refresh_token', { accessToken: token });
    }
  }

  stop(): void {
    this.running = false;
    this.awaitingToken = false;
    clearTimeout(this.reconnectTimer);
    const ws = this.ws;
    this.ws = null;
    this.ready = false;
    ws?.close(1000, 'logged out');
    this.onStatus('offline');
  }

  /** Closes the socket as a network drop would; it reconnects by itself. For tests and debugging. */
  drop(): void {
    this.ws?.close(4000, 'dropped by client');
  }

  reconnectNow(): void {
    if (!this.running || this.ws) return;
    clearTimeout(this.reconnectTimer);
    this.attempt = 0;
    this.connect();
  }

  /** A connection that completed its catch-up is healthy: the next drop starts backoff afresh. */
  healthy(): void {
    this.attempt = 0;
  }

  send(event: string, data: unknown): boolean {
    if (!this.ready || this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify({ event, data }));
    return true;
  }

  private connect(): void {
    if (!this.running || this.ws || !this.token) return;
    if (tokenExpired(this.token)) return this.waitForToken();
    this.onStatus(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}${WS_PATH}`, ['access_token', this.token]);
    this.ws = ws;
    const openTimer = setTimeout(() => ws.close(), OPEN_TIMEOUT_MS);
    ws.onopen = () => clearTimeout(openTimer);
    ws.onmessage = (event: MessageEvent<string>) => {
      if (this.ws !== ws) return;
      const frame = JSON.parse(event.data) as ServerFrame;
      if (frame.event === 'ready') {
        this.ready = true;
        this.onReady();
      } else {
        this.onFrame(frame);
      }
    };
    ws.onclose = (event) => {
      clearTimeout(openTimer);
      if (this.ws !== ws) return;
      this.ws = null;
      this.ready = false;
      this.onClosed();
      this.afterClose(event.code, event.reason);
    };
  }

  private afterClose(code: number, reason: string): void {
    if (!this.running) return;
    if (code === CLOSE_SESSION_ENDED) return this.ended(reason ? `${reason}: log in again.` : 'Your session ended: log in again.');
    if (code === CLOSE_TOKEN_EXPIRED || (this.token && tokenExpired(this.token))) return this.waitForToken();
    if (!navigator.onLine) return this.onStatus('offline');
    this.onStatus('reconnecting');
    // 1012: this instance is restarting and the others are fine, so come back at once, lightly spread.
    const delay = code === CLOSE_SERVICE_RESTART ? Math.random() * 250 : backoffDelay(this.attempt++);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private waitForToken(): void {
    this.awaitingToken = true;
    this.onStatus('reconnecting');
    this.onTokenExpired();
  }

  private ended(reason: string): void {
    this.stop();
    this.onEnded(reason);
  }
}

function tokenExpired(token: string): boolean {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    return typeof payload.exp === 'number' && payload.exp * 1000 <= Date.now();
  } catch {
    return false;
  }
}
