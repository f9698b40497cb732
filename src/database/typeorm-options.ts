import { DataSourceOptions } from 'typeorm';
import { User } from '../users/user.entity';
import { Conversation } from '../chat/entities/conversation.entity';
import { ConversationMember } from '../chat/entities/conversation-member.entity';
import { Message } from '../chat/entities/message.entity';
import { InitialSchema1764374400000 } from './migrations/1764374400000-InitialSchema';
import { ConversationEvents1764460800000 } from './migrations/1764460800000-ConversationEvents';
import { RefreshTokensAndBans1764547200000 } from './migrations/1764547200000-RefreshTokensAndBans';
import { MembersVersion1764633600000 } from './migrations/1764633600000-MembersVersion';
import { StoreMessagesFunction1764720000000 } from './migrations/1764720000000-StoreMessagesFunction';
import { RefreshToken } from '../auth/refresh-token.entity';

export const ENTITIES = [User, Conversation, ConversationMember, Message, RefreshToken];
export const MIGRATIONS = [
  InitialSchema1764374400000,
  ConversationEvents1764460800000,
  RefreshTokensAndBans1764547200000,
  MembersVersion1764633600000,
  StoreMessagesFunction1764720000000,
];

export interface DatabaseSettings {
  url: string;
  poolSize: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

/** One definition of the connection, shared by the app and the migration CLI. */
export function buildDataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each',
    synchronize: false,
    uuidExtension: 'pgcrypto',
    // Fail fast when Postgres is unreachable, so a send gets a retryable error
    // within seconds instead of hanging until the client gives up.
    connectTimeoutMS: settings.connectTimeoutMs,
    extra: {
      max: settings.poolSize,
      statement_timeout: settings.statementTimeoutMs,
      query_timeout: settings.statementTimeoutMs + 1000,
      idleTimeoutMillis: 30_000,
    },
  };
}
