'use strict';
const { createHmac, randomBytes, randomUUID } = require('node:crypto');
const { Client } = require('pg');
const Redis = require('ioredis');

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const JWT_SECRET = `bench-${randomBytes(24).toString('hex')}`;
const TOKEN_TTL_SECONDS = 6 * 3600;

async function withClient(url, fn) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database for this run; Relay's first instance migrates it. */
async function createDatabase() {
  const name = `relay_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await withClient(ADMIN_URL, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => withClient(ADMIN_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}

/**
 * Deletes the run's Redis keys (both targets' prefixes start with the database name). Relay
 * leaves a stopped instance's presence entries for the others to expire, and no instance of
 * this prefix runs again, so without this every run would leave its users' keys behind.
 */
async function dropRedisKeys(prefix) {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

function base64url(value) {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

/** An HS256 access token exactly like Relay issues: {sub, iat, exp}. */
function mintToken(userId) {
  const iat = Math.floor(Date.now() / 1000);
  const unsigned = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url({ sub: userId, iat, exp: iat + TOKEN_TTL_SECONDS })}`;
  return `${unsigned}.${createHmac('sha256', JWT_SECRET).update(unsigned).digest('base64url')}`;
}

/**
 * Users inserted in bulk (argon2 registration would take ~50 ms each) with minted tokens.
 * For the reference, ids are random UUIDs and no token is needed.
 */
async function createUsers(db, count, tag) {
  if (!db) return Array.from({ length: count }, () => ({ id: randomUUID(), token: null }));
  return withClient(db.url, async (c) => {
    const { rows } = await c.query(
      `INSERT INTO users (email, password_hash, display_name)
       SELECT $1 || '-' || g || '@bench.relay', 'not-a-hash', 'bench ' || g FROM generate_series(1, $2) g
       RETURNING id`,
      [`${tag}-${randomBytes(4).toString('hex')}`, count],
    );
    return rows.map(({ id }) => ({ id, token: mintToken(id) }));
  });
}

/** A group conversation (Relay: rows in conversations/conversation_members; reference: POST /groups). */
async function createGroup(db, members, servers) {
  const memberIds = members.map((m) => m.id);
  if (!db) {
    const id = randomUUID();
    for (const server of servers) {
      const response = await fetch(`${server.httpUrl}/groups`, { method: 'POST', body: JSON.stringify({ id, memberIds }) });
      if (response.status !== 201) throw new Error(`reference refused the group: ${response.status}`);
    }
    return id;
  }
  return withClient(db.url, async (c) => {
    const { rows } = await c.query(`INSERT INTO conversations (kind, name, created_by) VALUES ('group', 'bench', $1) RETURNING id`, [memberIds[0]]);
    const id = rows[0].id;
    await c.query(
      `INSERT INTO conversation_members (conversation_id, user_id, role)
       SELECT $1, u, CASE WHEN u = $2::uuid THEN 'owner' ELSE 'member' END FROM unnest($3::uuid[]) u`,
      [id, memberIds[0], memberIds],
    );
    return id;
  });
}

module.exports = { ADMIN_URL, REDIS_URL, JWT_SECRET, createDatabase, dropRedisKeys, createUsers, createGroup, withClient };
