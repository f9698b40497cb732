import { hostname } from 'node:os';
import { z } from 'zod';

/** The JWT secret shipped in sample.env and used in development; production refuses it. */
export const SAMPLE_JWT_SECRET = 'change-me-this-is-the-sample-secret-not-for-production';

const csv = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    INSTANCE_ID: z.string().min(1).optional(),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    // At least 2: at start-up the migration lock holds one connection while migrations run on another.
    DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(10),
    DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(3000),
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
    DATABASE_PREPARED_STATEMENTS: z
      .enum(['true', 'false', '1', '0'])
      .default('true')
      .transform((value) => value === 'true' || value === '1'),
    EMBEDDED_DATABASE_DIR: z.string().default('.relay-data/pglite'),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    REDIS_CLUSTER_NODES: csv.pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'each node must be host:port'))),
    REDIS_CHANNEL_PREFIX: z
      .string()
      .min(1)
      // Braces would make the prefix a Redis Cluster hash tag and move every key into one slot.
      .regex(/^[^{}]*$/, 'must not contain { or }')
      .default('relay:'),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').default(SAMPLE_JWT_SECRET),
    JWT_TTL_SECONDS: z.coerce.number().int().min(1).default(3600),
    REFRESH_TTL_SECONDS: z.coerce.number().int().min(60).default(30 * 24 * 3600),
    LOGIN_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
    LOGIN_LIMIT_PER_IP: z.coerce.number().int().min(1).default(30),
    USER_LOOKUP_LIMIT: z.coerce.number().int().min(1).default(100),
    TRUST_PROXY: z
      .enum(['true', 'false', '1', '0'])
      .default('false')
      .transform((value) => value === 'true' || value === '1'),
    WS_MAX_PAYLOAD_BYTES: z.coerce.number().int().min(1024).default(16 * 1024),
    WS_RATE_BURST: z.coerce.number().int().min(1).default(50),
    WS_RATE_PER_SECOND: z.coerce.number().positive().default(20),
    HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(1000).default(30_000),
    MESSAGE_MAX_CHARS: z.coerce.number().int().min(1).default(4000),
    PRESENCE_TTL_SECONDS: z.coerce.number().int().min(3).default(30),
    PRESENCE_DELIVERIES_PER_SECOND: z.coerce.number().positive().default(5000),
    ALLOWED_ORIGINS: csv,
    LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
    LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  })
  .superRefine((env, ctx) => {
    if (env.REDIS_URL && env.REDIS_CLUSTER_NODES.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_CLUSTER_NODES'],
        message: 'is set together with REDIS_URL; set REDIS_URL for one Redis server or REDIS_CLUSTER_NODES for a Redis Cluster, not both',
      });
    }
    if (env.NODE_ENV === 'production' && env.JWT_SECRET === SAMPLE_JWT_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SECRET'],
        message: 'is the sample secret; set a real secret in production',
      });
    }
    // An empty allowlist accepts upgrades from any page, so any site could ride a user's token.
    if (env.NODE_ENV === 'production' && env.ALLOWED_ORIGINS.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['ALLOWED_ORIGINS'],
        message: 'is empty; list the allowed browser origins (comma-separated) in production',
      });
    }
  });

type Env = z.infer<typeof schema>;

/**
 * The validated configuration, the only view of process.env the rest of the app gets.
 * It is a class so it can be injected by type.
 */
export class AppConfig {
  readonly nodeEnv!: Env['NODE_ENV'];
  readonly host!: string;
  readonly port!: number;
  readonly instanceId!: string;
  /** Undefined means: run the embedded Postgres (single-instance development mode). */
  readonly databaseUrl?: string;
  readonly databasePoolSize!: number;
  readonly databaseConnectTimeoutMs!: number;
  readonly databaseStatementTimeoutMs!: number;
  /** Prepare the send statements once per connection (off with the embedded database, and for poolers that do not keep them). */
  readonly databasePreparedStatements!: boolean;
  readonly embeddedDatabaseDir!: string;
  /** One Redis server. With neither this nor redisClusterNodes: in-process bus (single-instance development mode). */
  readonly redisUrl?: string;
  /** Redis Cluster seed nodes; when set, the relay uses sharded pub/sub (SPUBLISH/SSUBSCRIBE). */
  readonly redisClusterNodes?: { host: string; port: number }[];
  readonly redisChannelPrefix!: string;
  readonly jwtSecret!: string;
  readonly jwtTtlSeconds!: number;
  /** Refresh token lifetime; each refresh rotates the token and starts a new lifetime. */
  readonly refreshTtlSeconds!: number;
  /** Login attempts per minute, per account (email) and per client IP, across all instances. */
  readonly loginLimitPerAccount!: number;
  readonly loginLimitPerIp!: number;
  /** `GET /users?email=` per minute, per signed-in user, across all instances: enough to start DMs and create a group by email (one lookup per member), too few to harvest addresses. */
  readonly userLookupLimit!: number;
  /** Take the client IP from X-Forwarded-For (a trusted reverse proxy sets it) instead of the socket. */
  readonly trustProxy!: boolean;
  readonly wsMaxPayloadBytes!: number;
  /** Frames a socket may send at once, then per second; beyond that `rate_limited`. */
  readonly wsRateBurst!: number;
  readonly wsRatePerSecond!: number;
  /** Every socket is pinged this often; one that misses two pongs in a row is terminated. */
  readonly heartbeatIntervalMs!: number;
  readonly messageMaxChars!: number;
  /** How long a crashed instance's users still count as online (heartbeats every third of it). */
  readonly presenceTtlSeconds!: number;
  /** Presence frames this instance's announcements may cause per second (a second's worth at once). */
  readonly presenceDeliveriesPerSecond!: number;
  /** Empty means any Origin is accepted (refused at boot in production). */
  readonly allowedOrigins!: string[];
  readonly logLevel!: Env['LOG_LEVEL'];
  /** json: one JSON object per line (for log collectors); pretty: readable lines (development default). */
  readonly logFormat!: 'json' | 'pretty';
  /** When set, GET /metrics needs `Authorization: Bearer <metricsToken>`; unset, it is open. */
  readonly metricsToken?: string;

  /** Redis (a server or a cluster) relays between instances and holds presence and login counters. */
  get usesRedis(): boolean {
    return this.redisUrl !== undefined || this.redisClusterNodes !== undefined;
  }

  get isDevelopmentMode(): boolean {
    return this.databaseUrl === undefined || !this.usesRedis;
  }
}

export class ConfigError extends Error {}

/** Validates the environment once, before Nest builds any module. Throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings from `VAR=` lines in .env files mean "unset".
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  return Object.assign(new AppConfig(), {
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    instanceId: e.INSTANCE_ID ?? `${hostname()}-${process.pid}`,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databaseConnectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
    databaseStatementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS,
    embeddedDatabaseDir: e.EMBEDDED_DATABASE_DIR,
    redisUrl: e.REDIS_URL,
    redisClusterNodes: e.REDIS_CLUSTER_NODES.length > 0 ? e.REDIS_CLUSTER_NODES.map(parseHostPort) : undefined,
    redisChannelPrefix: e.REDIS_CHANNEL_PREFIX,
    jwtSecret: e.JWT_SECRET,
    jwtTtlSeconds: e.JWT_TTL_SECONDS,
    refreshTtlSeconds: e.REFRESH_TTL_SECONDS,
    loginLimitPerAccount: e.LOGIN_LIMIT_PER_ACCOUNT,
    loginLimitPerIp: e.LOGIN_LIMIT_PER_IP,
    userLookupLimit: e.USER_LOOKUP_LIMIT,
    trustProxy: e.TRUST_PROXY,
    wsMaxPayloadBytes: e.WS_MAX_PAYLOAD_BYTES,
    wsRateBurst: e.WS_RATE_BURST,
    wsRatePerSecond: e.WS_RATE_PER_SECOND,
    heartbeatIntervalMs: e.HEARTBEAT_INTERVAL_MS,
    messageMaxChars: e.MESSAGE_MAX_CHARS,
    presenceTtlSeconds: e.PRESENCE_TTL_SECONDS,
    presenceDeliveriesPerSecond: e.PRESENCE_DELIVERIES_PER_SECOND,
    allowedOrigins: e.ALLOWED_ORIGINS,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT ?? (e.NODE_ENV === 'development' ? 'pretty' : 'json'),
    metricsToken: e.METRICS_TOKEN,
  });
}

function parseHostPort(node: string): { host: string; port: number } {
  const at = node.lastIndexOf(':');
  return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
}
