import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { WsClientManager } from '../../src/gateway/ws-client-manager.service';
import { freePort } from './free-port';
import { TEST_JWT_SECRET } from './relay-instance';

/*
 * The compiled modules are loaded with Node's own require, not through vitest's transform:
 * vitest does not emit decorator metadata, and Nest's injection needs it. Nest itself is
 * loaded the same way so the test and the app share one copy of @nestjs/common and core.
 */
const DIST = join(__dirname, '..', '..', 'dist');
const load = createRequire(__filename);
export const fromDist = <T>(path: string): T => load(join(DIST, path)) as T;

load('reflect-metadata');
const { NestFactory } = load('@nestjs/core') as typeof import('@nestjs/core');
const { AppModule } = fromDist<typeof import('../../src/app.module')>('app.module');
const { loadConfig } = fromDist<typeof import('../../src/config/app-config')>('config/app-config');
const { configureApp } = fromDist<typeof import('../../src/app.setup')>('app.setup');
const manager = fromDist<typeof import('../../src/gateway/ws-client-manager.service')>('gateway/ws-client-manager.service');

export interface InProcessInstance {
  app: INestApplication;
  /** This instance's WsClientManager, to call sendToOne/sendToSome/sendToAll directly. */
  clients: WsClientManager;
  instanceId: string;
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

/**
 * A Relay instance as a Nest application inside the test process, booted the way src/main.ts
 * boots one, for tests that need its in-process services. Needs `npm run build` first.
 * `env` must carry DATABASE_URL, REDIS_URL and REDIS_CHANNEL_PREFIX; process.env is not read.
 */
export async function startInProcessInstance(env: Record<string, string>): Promise<InProcessInstance> {
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    INSTANCE_ID: `in-process-${port}`,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'warn',
    // Every test logs in from 127.0.0.1; test/login-rate-limit.e2e-spec.ts sets its own limits.
    LOGIN_LIMIT_PER_IP: '100000',
    ...env,
  });
  const app = await NestFactory.create(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  configureApp(app, config);
  // No enableShutdownHooks: signal handlers belong to the test runner's process, not to an app in it.
  await app.listen(config.port, config.host);
  return {
    app,
    clients: app.get(manager.WsClientManager),
    instanceId: config.instanceId,
    url: `http://${config.host}:${config.port}`,
    wsUrl: `ws://${config.host}:${config.port}/entrypoint`,
    close: () => app.close(),
  };
}
