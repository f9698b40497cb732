import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, QueryConfig, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { isDatabaseUnavailable } from '../common/database-unavailable';
import { AppConfig } from '../config/app-config';

/** A statement worth preparing: its name is what each connection keeps its parse and plan under. */
export interface PreparedStatement {
  name: string;
  text: string;
}

/**
 * Runs the send path's statements on the pg pool that TypeORM opened, instead of through
 * `DataSource.query`. Why, measured on the dm bench (pg_stat_statements and perf):
 * - Postgres spent about as long parsing and planning the single-send statement as running it
 *   (311 µs of planning against 386 µs of execution per call). A prepared statement is parsed
 *   once per connection, and its plan is cached once Postgres finds the generic plan as good.
 * - `DataSource.query` builds and releases a QueryRunner per call, with its logging and
 *   error wrapping, on every send.
 *
 * Errors are pg's own (`code` is the SQLSTATE), not TypeORM's QueryFailedError.
 *
 * A prepared statement names its output columns, so a migration that adds columns leaves it
 * valid. One that changes the type of a column it returns makes each connection's copy fail
 * once ("cached plan must not change result type"): that connection is dropped and the
 * statement run again unprepared, so a rolling deploy costs no send.
 *
 * Prepared statements stay off with the embedded database, whose connections all share one
 * session (two connections preparing the same name would collide), and when
 * DATABASE_PREPARED_STATEMENTS=false (for poolers that do not keep them, such as PgBouncer in
 * transaction mode before 1.21).
 */
@Injectable()
export class StatementPool {
  private readonly prepare: boolean;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    config: AppConfig,
  ) {
    this.prepare = config.databaseUrl !== undefined && config.databasePreparedStatements;
  }

  /** Rows of a statement that is run often with the same shape of plan. */
  async prepared<Row extends QueryResultRow>(statement: PreparedStatement, values: unknown[]): Promise<Row[]> {
    if (!this.prepare) return this.unprepared(statement.text, values);
    try {
      return await this.run<Row>({ name: statement.name, text: statement.text, values });
    } catch (error) {
      if (!isStalePlan(error)) throw error;
      return this.unprepared(statement.text, values);
    }
  }

  /** Rows of a statement whose best plan depends on its values (planned on every call). */
  unprepared<Row extends QueryResultRow>(text: string, values: unknown[]): Promise<Row[]> {
    return this.run<Row>({ text, values });
  }

  /**
   * Not `pool.query`: that closes the connection after ANY error, so every repeated clientMsgId
   * (a unique violation) would cost a new Postgres connection. A statement Postgres refused
   * leaves its connection usable; only a lost connection or a stale prepared statement is dropped.
   */
  private async run<Row extends QueryResultRow>(query: QueryConfig): Promise<Row[]> {
    const client = await this.pool().connect();
    let unusable: Error | undefined;
    // A connection lost while checked out is also emitted as 'error' (the pool listens only
    // while it is idle), and an 'error' nobody hears would crash the process.
    const onLost = (error: Error) => (unusable = error);
    client.on('error', onLost);
    try {
      return (await client.query<Row>(query)).rows;
    } catch (error) {
      if (isDatabaseUnavailable(error) || isStalePlan(error)) unusable = error as Error;
      throw error;
    } finally {
      client.removeListener('error', onLost);
      client.release(unusable);
    }
  }

  private pool(): Pool {
    return (this.db.driver as PostgresDriver).master as Pool;
  }
}

/** Postgres refusing a prepared statement whose plan a schema change has made incompatible. */
function isStalePlan(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '0A000' && /cached plan must not change result type/.test((error as Error).message);
}
