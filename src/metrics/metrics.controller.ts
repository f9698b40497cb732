import { Controller, Get, Header, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { MetricsTokenGuard } from './metrics-token.guard';
import { RelayMetrics } from './relay-metrics.service';

/**
 * Prometheus scrape endpoint. Not behind the user JWT (a scraper has no user); keep it off the
 * public internet, and set METRICS_TOKEN where it cannot be. Left out of the API docs on purpose.
 */
@ApiExcludeController()
@Controller('metrics')
@UseGuards(MetricsTokenGuard)
export class MetricsController {
  constructor(private readonly metrics: RelayMetrics) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Res({ passthrough: true }) response: Response): Promise<string> {
    response.type(this.metrics.contentType);
    return this.metrics.exposition();
  }
}
