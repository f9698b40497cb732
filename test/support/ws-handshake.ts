import WebSocket from 'ws';

/** Attempts an upgrade and reports the HTTP status the server answered with (101 on success). */
export function handshakeStatus(url: string, protocols?: string | string[], headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = protocols === undefined ? new WebSocket(url, { headers }) : new WebSocket(url, protocols, { headers });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('open', () => {
      resolve(101);
      socket.close();
    });
    socket.once('error', (error) => reject(error));
  });
}
