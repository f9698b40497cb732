import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { EmbeddedPostgresService } from './embedded-postgres.service';
import { MigrationRunner } from './migration-runner.service';
import { buildDataSourceOptions } from './typeorm-options';

@Module({ providers: [EmbeddedPostgresService], exports: [EmbeddedPostgresService] })
class EmbeddedPostgresModule {}

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [EmbeddedPostgresModule],
      inject: [AppConfig, EmbeddedPostgresService],
      useFactory: async (config: AppConfig, embedded: EmbeddedPostgresService) => {
        const server = config.databaseUrl ? undefined : await embedded.start(config.embeddedDatabaseDir);
        return {
          ...buildDataSourceOptions({
            url: server?.url ?? config.databaseUrl!,
            poolSize: server?.connectionLimit ?? config.databasePoolSize,
            connectTimeoutMs: config.databaseConnectTimeoutMs,
            statementTimeoutMs: config.databaseStatementTimeoutMs,
          }),
          // Keep retrying at boot: under compose, Postgres may still be starting.
          retryAttempts: 10,
          retryDelay: 1000,
        };
      },
    }),
  ],
  providers: [MigrationRunner],
})
export class DatabaseModule {}
