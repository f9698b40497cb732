import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { MetricsTokenGuard } from './metrics-token.guard';
import { RedisReconnectWatcher } from './redis-reconnect-watcher';
import { RelayMetrics } from './relay-metrics.service';

/** Global and dependent only on config, so the gateway, the bus and the filters can all report to it. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [RelayMetrics, MetricsTokenGuard, RedisReconnectWatcher],
  exports: [RelayMetrics],
})
export class MetricsModule {}
