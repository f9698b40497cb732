/**
 * A complete server-to-client WebSocket text frame around `payload` (RFC 6455 section 5.2:
 * FIN set, opcode 1, no mask, no extension bits), ready to be written to a TCP socket as is.
 * A fan-out builds it once and writes the same bytes to every recipient. ws would build a new
 * header for each socket and write header and payload as two chunks (a writev behind a
 * cork/uncork). Only valid with permessage-deflate off, as RelayWsAdapter configures it. Then
 * ws writes each of its own frames synchronously, so frames written here and ws's own
 * (pings, closes) keep their order on the socket.
 */
export function wsTextFrame(payload: string): Buffer {
  const length = Buffer.byteLength(payload);
  const headerLength = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 0x10000) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(payload, headerLength, 'utf8');
  return frame;
}
