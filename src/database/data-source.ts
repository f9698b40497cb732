import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { buildDataSourceOptions } from './typeorm-options';

/** Data source for the TypeORM CLI (migration:run/revert/generate). Needs DATABASE_URL. */
const config = loadConfig();
if (!config.databaseUrl) {
  throw new Error('The migration CLI needs DATABASE_URL (the server runs migrations itself at start-up).');
}

export default new DataSource(
  buildDataSourceOptions({
    url: config.databaseUrl,
    poolSize: 1,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    statementTimeoutMs: 60_000,
  }),
);
