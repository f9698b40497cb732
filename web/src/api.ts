import type { Conversation, LoginResult, MessagePage, TokenPair, User } from './protocol.js';

/** A REST failure with the server's stable error code (README "Error codes"). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The REST API of the instance that served this page. */
export class Api {
  token: string | null = null;
  /** Called when a request is refused for its access token: true once a new one is in force. */
  renew: () => Promise<boolean> = () => Promise.resolve(false);

  login(email: string, password: string): Promise<LoginResult> {
    return this.request('POST', '/auth/login', { email, password });
  }

  refresh(refreshToken: string): Promise<TokenPair> {
    return this.request('POST', '/auth/refresh', { refreshToken }, { anonymous: true });
  }

  register(email: string, password: string, displayName?: string): Promise<User> {
    return this.request('POST', '/auth/register', { email, password, ...(displayName ? { displayName } : {}) });
  }

  conversations(): Promise<Conversation[]> {
    return this.request('GET', '/conversations');
  }

  conversation(id: string): Promise<Conversation> {
    return this.request('GET', `/conversations/${id}`);
  }

  /** Newest first, all with seq < beforeSeq: scrolling back. */
  messagesBefore(id: string, beforeSeq: number, limit = 50): Promise<MessagePage> {
    return this.request('GET', `/conversations/${id}/messages?beforeSeq=${beforeSeq}&limit=${limit}`);
  }

  /** Oldest first, all with seq > afterSeq: filling a gap. */
  messagesAfter(id: string, afterSeq: number, limit = 200): Promise<MessagePage> {
    return this.request('GET', `/conversations/${id}/messages?afterSeq=${afterSeq}&limit=${limit}`);
  }

  findUserByEmail(email: string): Promise<User> {
    return this.request('GET', `/users?email=${encodeURIComponent(email)}`);
  }

  createGroup(name: string, memberIds: string[]): Promise<Conversation> {
    return this.request('POST', '/conversations', { name, memberIds });
  }

  presence(userId: string): Promise<{ userId: string; online: boolean }> {
    return this.request('GET', `/users/${userId}/presence`);
  }

  /** A request refused for an expired access token is sent once more after renewing it. */
  private async request<T>(method: string, path: string, body?: unknown, { anonymous = false, retried = false } = {}): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token && !anonymous) headers.authorization = `Bearer ${this.token}`;
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const payload: unknown = response.status === 204 ? null : await response.json().catch(() => null);
    if (response.ok) return payload as T;
    const error = (payload ?? {}) as { code?: string; message?: string | string[] };
    const message = Array.isArray(error.message) ? error.message.join('; ') : (error.message ?? response.statusText);
    if (response.status === 401 && this.token && !anonymous && !retried && (await this.renew().catch(() => false))) {
      return this.request(method, path, body, { retried: true });
    }
    throw new ApiError(response.status, error.code ?? 'unknown', message);
  }
}
