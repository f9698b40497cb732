'use strict';
/**
 * The reference: a minimal chat fan-out server written directly on `ws` and ioredis. No Nest,
 * no auth (the user id is the `user` query parameter), no persistence (seq is an in-memory
 * counter). It speaks Relay's frames and relays between instances exactly as Relay does: one
 * pre-serialised frame, published once as {origin, userIds, frame} on one channel. Group
 * membership is loaded by the bench through POST /groups.
 *
 * Env: PORT, HOST, REDIS_URL, REDIS_CHANNEL_PREFIX, INSTANCE_ID.
 */
const http = require('node:http');
const { WebSocketServer, WebSocket } = require('ws');
const Redis = require('ioredis');

const port = Number(process.env.PORT ?? 3100);
const instanceId = process.env.INSTANCE_ID ?? `reference-${process.pid}`;
const channel = `${process.env.REDIS_CHANNEL_PREFIX ?? 'reference:'}broadcast`;
const publisher = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const subscriber = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

const socketsByUser = new Map();
const groups = new Map();
const seqs = new Map();
let nextId = 1;

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/groups') {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const { id, memberIds } = JSON.parse(body);
      groups.set(id, memberIds);
      res.writeHead(201).end();
    });
    return;
  }
  res.writeHead(req.url === '/health/ready' ? 200 : 404).end();
});

const wss = new WebSocketServer({ server, path: '/entrypoint', perMessageDeflate: false, maxPayload: 16 * 1024 });

wss.on('connection', (socket, req) => {
  const userId = new URL(req.url, 'http://x').searchParams.get('user');
  if (!userId) return socket.close(1008, 'user missing');
  let sockets = socketsByUser.get(userId);
  if (!sockets) socketsByUser.set(userId, (sockets = new Set()));
  sockets.add(socket);
  socket.on('close', () => {
    sockets.delete(socket);
    if (sockets.size === 0) socketsByUser.delete(userId);
  });
  socket.on('error', () => {});
  socket.on('message', (raw) => onFrame(socket, userId, raw));
  socket.send(JSON.stringify({ event: 'ready', data: { userId, instanceId, expiresAt: null } }));
});

function onFrame(socket, senderId, raw) {
  let frame;
  try {
    frame = JSON.parse(raw.toString());
  } catch {
    return socket.send(JSON.stringify({ event: 'error', data: { code: 'bad_json', ref: null } }));
  }
  const data = frame.data ?? {};
  let conversationId, body, recipients;
  if (frame.event === 'send_message') {
    conversationId = data.conversationId;
    body = data.body;
    recipients = groups.get(conversationId) ?? [senderId];
  } else if (frame.event === 'send_chat_message_to_participant') {
    conversationId = [senderId, data.participantId].sort().join(':');
    body = data.message;
    recipients = [senderId, data.participantId];
  } else {
    return socket.send(JSON.stringify({ event: 'error', data: { code: 'unknown_event', ref: frame.id ?? null } }));
  }
  const seq = (seqs.get(conversationId) ?? 0) + 1;
  seqs.set(conversationId, seq);
  const message = {
    id: String(nextId++),
    conversationId,
    seq,
    senderId,
    body,
    clientMsgId: data.clientMsgId ?? null,
    createdAt: new Date().toISOString(),
  };
  const { senderId: _s, body: _b, ...ack } = message;
  socket.send(JSON.stringify({ event: 'message_ack', data: { ...ack, duplicate: false } }));
  const out = JSON.stringify({ event: 'message', data: message });
  writeToUsers(recipients, out, socket);
  publisher.publish(channel, JSON.stringify({ origin: instanceId, userIds: recipients, frame: out })).catch(() => {});
}

function writeToUsers(userIds, frame, except) {
  for (const userId of userIds) {
    const sockets = socketsByUser.get(userId);
    if (!sockets) continue;
    for (const socket of sockets) if (socket !== except && socket.readyState === WebSocket.OPEN) socket.send(frame);
  }
}

subscriber.on('message', (_channel, raw) => {
  const envelope = JSON.parse(raw);
  if (envelope.origin !== instanceId) writeToUsers(envelope.userIds, envelope.frame);
});

subscriber.subscribe(channel).then(() => {
  server.listen(port, process.env.HOST ?? '127.0.0.1');
});

process.on('SIGTERM', () => {
  for (const client of wss.clients) client.terminate();
  server.close();
  publisher.disconnect();
  subscriber.disconnect();
  process.exit(0);
});
