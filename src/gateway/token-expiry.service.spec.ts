import { describe, expect, it, vi } from 'vitest';
import { TokenExpiryService } from './token-expiry.service';
import { RelaySocket } from './relay-socket';

const socketExpiringAt = (expiresAt: number) => ({ expiresAt, close: vi.fn() }) as unknown as RelaySocket & { close: ReturnType<typeof vi.fn> };

describe(TokenExpiryService.name, () => {
  it('closes exactly the sockets whose token has expired, with 4001', () => {
    const service = new TokenExpiryService();
    const early = socketExpiringAt(100);
    const due = socketExpiringAt(105);
    const later = socketExpiringAt(106);
    [early, due, later].forEach((socket) => service.track(socket));

    service.sweep(105);

    expect(early.close).toHaveBeenCalledWith(4001, expect.stringMatching(/expired/i));
    expect(due.close).toHaveBeenCalledOnce();
    expect(later.close).not.toHaveBeenCalled();
  });

  it('forgets sockets that closed before expiring', () => {
    const service = new TokenExpiryService();
    const gone = socketExpiringAt(100);
    service.track(gone);
    service.untrack(gone);
    service.sweep(200);
    expect(gone.close).not.toHaveBeenCalled();
  });

  it('closes a socket once even if swept again', () => {
    const service = new TokenExpiryService();
    const socket = socketExpiringAt(100);
    service.track(socket);
    service.sweep(100);
    service.sweep(101);
    expect(socket.close).toHaveBeenCalledOnce();
  });

  it('closes a rescheduled socket at its new expiry, not its old one', () => {
    const service = new TokenExpiryService();
    const socket = socketExpiringAt(100);
    service.track(socket);
    service.reschedule(socket, 200);
    expect(socket.expiresAt).toBe(200);
    service.sweep(150);
    expect(socket.close).not.toHaveBeenCalled();
    service.sweep(200);
    expect(socket.close).toHaveBeenCalledOnce();
  });
});
