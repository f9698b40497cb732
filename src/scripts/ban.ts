import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import Redis, { Cluster } from 'ioredis';
import { RefreshToken } from '../auth/refresh-token.entity';
import { RefreshTokenService } from '../auth/refresh-token.service';
import { broadcastChannel, encodeEnvelope } from '../broadcast/broadcast-envelope';
import { AppConfig, loadConfig } from '../config/app-config';
import { CLOSE_CODES, SESSION_END_REASONS } from '../gateway/ws-protocol';
import { withScriptDatabase } from './with-script-database';

const logger = new Logger('Ban');

/**
 * `npm run ban -- <email>`: bans the user (login and refresh are refused from now on), revokes
 * their refresh tokens, and tells every instance to close their sockets. Their current access
 * tokens stay valid until they expire (JWT_TTL_SECONDS), but no socket of theirs survives.
 */
async function ban(email: string | undefined): Promise<void> {
  if (!email) throw new Error('usage: npm run ban -- <email>');
  const config = loadConfig();
  await withScriptDatabase(config, async (db) => {
    // For UPDATE ... RETURNING, TypeORM's postgres driver answers [rows, affected count].
    const [banned]: [{ id: string }[], number] = await db.query(
      `UPDATE users SET banned_at = coalesce(banned_at, now()) WHERE email = $1 RETURNING id`,
      [email.trim().toLowerCase()],
    );
    if (banned.length === 0) throw new Error(`no user has the email ${email}`);
    const userId = banned[0].id;
    const revoked = await new RefreshTokenService(db.getRepository(RefreshToken), config).revokeAllOf(userId);
    logger.log(`${email} (${userId}) banned; ${revoked} refresh token(s) revoked`);
    await disconnectEverywhere(config, userId);
  });
}

async function disconnectEverywhere(config: AppConfig, userId: string): Promise<void> {
  if (!config.redisUrl && !config.redisClusterNodes) {
    logger.warn('REDIS_URL is not set: no instance could be told; a running single instance keeps open sockets until their tokens expire');
    return;
  }
  // On a Redis Cluster the instances listen with sharded pub/sub, so the envelope must go by SPUBLISH.
  const cluster = config.redisClusterNodes;
  const redis = cluster
    ? new Cluster(cluster, { lazyConnect: true, redisOptions: { maxRetriesPerRequest: 2 } })
    : new Redis(config.redisUrl!, { maxRetriesPerRequest: 2, lazyConnect: true });
  try {
    await redis.connect();
    const envelope = encodeEnvelope({
      origin: `ban-script-${process.pid}`,
      userIds: [userId],
      control: { action: 'disconnect', code: CLOSE_CODES.sessionEnded, reason: SESSION_END_REASONS.banned },
    });
    const channel = broadcastChannel(config.redisChannelPrefix);
    const instances = cluster ? await redis.spublish(channel, envelope) : await redis.publish(channel, envelope);
    logger.log(`disconnect sent to ${instances} instance(s)`);
  } finally {
    redis.disconnect();
  }
}

ban(process.argv[2]).catch((error: unknown) => {
  logger.error((error as Error).message);
  process.exit(1);
});
