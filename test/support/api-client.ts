import { randomBytes } from 'node:crypto';

export interface TestUser {
  id: string;
  email: string;
  displayName: string;
  password: string;
  token: string;
}

export interface HttpResult<T = any> {
  status: number;
  body: T;
}

/** Plain fetch against one instance's REST API. */
export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async request<T = any>(method: string, path: string, body?: unknown, token?: string): Promise<HttpResult<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed as T };
  }

  /** Registers and logs in a fresh user with a unique email. */
  async newUser(name = 'user'): Promise<TestUser> {
    const email = `${name}-${randomBytes(5).toString('hex')}@test.relay`;
    const password = 'correct-horse-battery';
    const registered = await this.request('POST', '/auth/register', { email, password, displayName: name });
    if (registered.status !== 201) throw new Error(`register failed: ${JSON.stringify(registered)}`);
    const login = await this.request('POST', '/auth/login', { email, password });
    if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login)}`);
    return { id: registered.body.id, email, displayName: name, password, token: login.body.accessToken };
  }

  async createGroup(owner: TestUser, name: string, memberIds: string[]): Promise<string> {
    const created = await this.request('POST', '/conversations', { name, memberIds }, owner.token);
    if (created.status !== 201) throw new Error(`create group failed: ${JSON.stringify(created)}`);
    return created.body.id;
  }
}
