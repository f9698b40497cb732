import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { EmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';

/** Owns the embedded Postgres, when DATABASE_URL is unset, for the life of the app. */
@Injectable()
export class EmbeddedPostgresService implements OnApplicationShutdown {
  private readonly logger = new Logger(EmbeddedPostgresService.name);
  private running?: EmbeddedPostgres;

  async start(dataDir: string): Promise<EmbeddedPostgres> {
    this.running ??= await startEmbeddedPostgres(dataDir);
    this.logger.warn(
      `DATABASE_URL is not set: using an embedded Postgres (PGlite) in ${dataDir}. Single-instance development mode only.`,
    );
    return this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.running?.stop();
    this.running = undefined;
  }
}
