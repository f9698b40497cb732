import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { AppConfig } from '../config/app-config';
import { HeartbeatService } from './heartbeat.service';
import { RelaySocket } from './relay-socket';

type FakeSocket = RelaySocket & { ping: ReturnType<typeof vi.fn>; terminate: ReturnType<typeof vi.fn> };

const openSocket = (): FakeSocket => Object.assign(new EventEmitter(), { readyState: 1, ping: vi.fn(), terminate: vi.fn() }) as unknown as FakeSocket;

describe(HeartbeatService.name, () => {
  const service = () => new HeartbeatService({ heartbeatIntervalMs: 1000 } as AppConfig);

  it('terminates a socket at the beat after its second unanswered ping', () => {
    const heartbeat = service();
    const silent = openSocket();
    heartbeat.track(silent);
    heartbeat.beat();
    heartbeat.beat();
    expect(silent.ping).toHaveBeenCalledTimes(2);
    expect(silent.terminate).not.toHaveBeenCalled();
    heartbeat.beat();
    expect(silent.terminate).toHaveBeenCalledOnce();
  });

  it('keeps a socket that answers with pongs', () => {
    const heartbeat = service();
    const alive = openSocket();
    heartbeat.track(alive);
    for (let i = 0; i < 10; i++) {
      heartbeat.beat();
      alive.emit('pong');
    }
    expect(alive.terminate).not.toHaveBeenCalled();
  });

  it('forgets untracked sockets', () => {
    const heartbeat = service();
    const gone = openSocket();
    heartbeat.track(gone);
    heartbeat.untrack(gone);
    for (let i = 0; i < 3; i++) heartbeat.beat();
    expect(gone.ping).not.toHaveBeenCalled();
    expect(gone.terminate).not.toHaveBeenCalled();
  });
});
