import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { watchReconnects } from './reconnect-watch';

class FakeClient extends EventEmitter {
  constructor(public status: string) {
    super();
  }

  becomeReady(): void {
    this.status = 'ready';
    this.emit('ready');
  }
}

describe(watchReconnects.name, () => {
  it('does not count the first ready of a client that was still connecting', () => {
    const client = new FakeClient('connecting');
    let reconnects = 0;
    watchReconnects(client, () => reconnects++);
    client.becomeReady();
    expect(reconnects).toBe(0);
    client.status = 'reconnecting';
    client.becomeReady();
    client.becomeReady();
    expect(reconnects).toBe(2);
  });

  it('counts every ready of a client that was already ready', () => {
    const client = new FakeClient('ready');
    let reconnects = 0;
    watchReconnects(client, () => reconnects++);
    client.becomeReady();
    expect(reconnects).toBe(1);
  });
});
