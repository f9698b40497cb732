import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { BroadcastBus } from '../broadcast/broadcast-bus';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly bus: BroadcastBus,
    private readonly config: AppConfig,
  ) {}

  /** The process is up and serving HTTP. */
  @Get('live')
  @HttpCode(200)
  @ApiOkResponse({ description: '{status: "ok", instanceId}' })
  live(): { status: string; instanceId: string } {
    return { status: 'ok', instanceId: this.config.instanceId };
  }

  /** Postgres answers and the relay bus is connected: safe to route clients here. */
  @Get('ready')
  @ApiOkResponse({ description: '{status: "ok", instanceId, checks}' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; checks says which' })
  async ready(): Promise<{ status: string; instanceId: string; checks: Record<string, string> }> {
    const [database, bus] = await Promise.all([
      this.db.query('SELECT 1').then(
        () => 'ok',
        (error: Error) => `down: ${error.message}`,
      ),
      this.bus.ping().then(
        () => 'ok',
        (error: Error) => `down: ${error.message}`,
      ),
    ]);
    const checks = { database, bus };
    const healthy = Object.values(checks).every((state) => state === 'ok');
    const body = { status: healthy ? 'ok' : 'unavailable', instanceId: this.config.instanceId, checks };
    if (!healthy) throw new ServiceUnavailableException(body);
    return body;
  }
}
