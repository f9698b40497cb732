import { ApiError } from './api.js';
import type { TokenPair, User } from './protocol.js';

/** Renew this long before the access token expires, at most: covers a slow network. */
const RENEW_AHEAD_MS = 60_000;
/** After a failed renewal that was not a refusal (network, a restarting server), try again this soon. */
const RETRY_MS = 5_000;

/** What survives a page reload (sessionStorage, this tab only). */
export interface SavedSession {
  user: User;
  accessToken: string;
  refreshToken: string;
  /** Local clock, ms: when the access token expires, from `expiresIn` (so a skewed clock does not matter). */
  expiresAt: number;
}

/**
 * The signed-in session's tokens. The access token is renewed with the refresh token before it
 * expires (`POST /auth/refresh`, which hands out a new pair), so REST calls and the open socket
 * (told with `refresh_token`) outlive it, and a user stays signed in while the tab is open.
 * The session ends only when the server refuses to renew it (refresh token spent, expired or
 * revoked by a logout elsewhere; banned).
 */
export class Session {
  /** A new access token is in force: give it to the API and the socket. */
  onRenewed: (accessToken: string) => void = () => undefined;
  /** Renewal was refused: `reason` is what to tell the user. */
  onEnded: (reason: string) => void = () => undefined;
  private saved: SavedSession | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private renewing: Promise<boolean> | null = null;

  constructor(
    private readonly refresh: (refreshToken: string) => Promise<TokenPair>,
    private readonly storage: Storage,
    private readonly storageKey: string,
  ) {}

  get user(): User | null {
    return this.saved?.user ?? null;
  }

  get accessToken(): string | null {
    return this.saved?.accessToken ?? null;
  }

  /** After a login: keeps the pair and schedules its renewal. */
  begin(user: User, tokens: TokenPair): void {
    this.keep({ user, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: Date.now() + tokens.expiresIn * 1000 });
  }

  /** After a reload: the session this tab had, if any (renewed first if its access token has expired). */
  restore(): SavedSession | null {
    const raw = this.storage.getItem(this.storageKey);
    if (!raw) return null;
    try {
      const saved = JSON.parse(raw) as SavedSession;
      if (!saved.refreshToken || !saved.accessToken) return null;
      this.keep(saved);
      return saved;
    } catch {
      return null;
    }
  }

  end(): void {
    clearTimeout(this.timer);
    this.saved = null;
    this.storage.removeItem(this.storageKey);
  }

  /**
   * Renews now, once however many ask at the same moment. Resolves true with a new access token
   * in force, false if the server refused (the session has ended); rejects if the server could
   * not be reached, in which case a retry is already scheduled.
   */
  renew(): Promise<boolean> {
    this.renewing ??= this.renewOnce().finally(() => (this.renewing = null));
    return this.renewing;
  }

  get expired(): boolean {
    return !this.saved || this.saved.expiresAt <= Date.now();
  }

  private async renewOnce(): Promise<boolean> {
    const current = this.saved;
    if (!current) return false;
    try {
      const tokens = await this.refresh(current.refreshToken);
      if (this.saved !== current) return this.saved !== null; // logged out (or in again) meanwhile
      this.begin(current.user, tokens);
      this.onRenewed(tokens.accessToken);
      return true;
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        this.end();
        this.onEnded(error.status === 403 ? 'Your account is blocked.' : 'Your session has ended: log in again.');
        return false;
      }
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.renew().catch(() => undefined), RETRY_MS);
      throw error;
    }
  }

  private keep(saved: SavedSession): void {
    this.saved = saved;
    this.storage.setItem(this.storageKey, JSON.stringify(saved));
    clearTimeout(this.timer);
    // A fifth of the lifetime ahead, at most a minute: a 1 h token renews at 59 min.
    const lifetime = saved.expiresAt - Date.now();
    const ahead = Math.min(RENEW_AHEAD_MS, Math.max(0, lifetime) / 5);
    this.timer = setTimeout(() => void this.renew().catch(() => undefined), Math.max(0, lifetime - ahead));
  }
}
