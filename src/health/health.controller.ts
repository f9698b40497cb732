import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { ShutdownState } from '../common/shutdown-state';
import { BroadcastBus } from '../broadcast/broadcast-bus';

/** A balancer's probe must get an answer even when a dependency hangs rather than fails. */
const CHECK_TIMEOUT_MS = 3_000;

type CheckState = 'ok' | `down: ${string}`;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly bus: BroadcastBus,
    private readonly config: AppConfig,
    private readonly shutdown: ShutdownState,
  ) {}

  /** The process is up and serving HTTP. */
  @Get('live')
  @HttpCode(200)
  @ApiOkResponse({ description: '{status: "ok", instanceId}' })
  live(): { status: string; instanceId: string } {
    return { status: 'ok', instanceId: this.config.instanceId };
  }

  /**
   * Postgres answers and this instance hears the relay (its own probe came back through Redis):
   * safe to route clients here.
   */
  @Get('ready')
  @ApiOkResponse({ description: '{status: "ok", instanceId, checks: {database: "ok", bus: "ok"}}' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down: each failed check reads "down: <reason>"' })
  async ready(): Promise<{ status: string; instanceId: string; checks: Record<string, CheckState> }> {
    const [database, bus] = await Promise.all([check(() => this.db.query('SELECT 1')), check(() => this.bus.ping())]);
    // A draining instance must leave the load balancer's rotation before it closes sockets.
    const checks = { database, bus, ...(this.shutdown.draining ? { shutdown: 'down: draining' as CheckState } : {}) };
    const healthy = Object.values(checks).every((state) => state === 'ok');
    const body = { status: healthy ? 'ok' : 'unavailable', instanceId: this.config.instanceId, checks };
    if (!healthy) throw new ServiceUnavailableException(body);
    return body;
  }
}

async function check(probe: () => Promise<unknown>): Promise<CheckState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([probe(), timeout]);
    return 'ok';
  } catch (error) {
    return `down: ${(error as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}
