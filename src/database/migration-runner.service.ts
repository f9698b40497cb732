import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Any constant shared by all instances: the advisory lock that serialises migration runs. */
const MIGRATION_LOCK_ID = 0x72656c61; // "rela"

/**
 * Runs pending migrations at start-up. Several instances starting together on an empty
 * database would otherwise all run the same migration (TypeORM takes no lock), so each takes
 * a Postgres advisory lock first; the later ones then find nothing left to do.
 */
@Injectable()
export class MigrationRunner implements OnModuleInit {
  private readonly logger = new Logger(MigrationRunner.name);

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async onModuleInit(): Promise<void> {
    const lockHolder = this.db.createQueryRunner();
    try {
      await lockHolder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
      const applied = await this.db.runMigrations({ transaction: 'each' });
      for (const migration of applied) this.logger.log(`applied migration ${migration.name}`);
    } finally {
      await lockHolder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
      await lockHolder.release();
    }
  }
}
