import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config';
import { encodeFrame } from '../gateway/ws-protocol';
import { RelayMetrics } from './relay-metrics.service';

function metrics(): RelayMetrics {
  return new RelayMetrics({ instanceId: 'unit-1' } as AppConfig);
}

describe(RelayMetrics.name, () => {
  it('labels every series with the instance and includes the Node process metrics', async () => {
    const text = await metrics().exposition();
    expect(text).toContain('relay_connections{instance="unit-1"} 0');
    expect(text).toMatch(/^process_cpu_user_seconds_total\{instance="unit-1"\} /m);
    const samples = text.split('\n').filter((line) => line.length > 0 && !line.startsWith('#'));
    expect(samples.every((line) => line.includes('instance="unit-1"'))).toBe(true);
  });

  it('reads connections and frame counts at scrape time', async () => {
    const m = metrics();
    let connections = 2;
    m.setConnectionCounter(() => connections);
    m.setPresenceBacklog(() => 7);
    const frame = encodeFrame('message', { id: 'x' } as never);
    m.liveFrameWritten(frame);
    m.liveFrameWritten(frame);
    m.replyWritten('message');
    m.frameReceived('send_message');
    m.frameReceived('invalid');
    connections = 5;
    const text = await m.exposition();
    expect(text).toContain('relay_connections{instance="unit-1"} 5');
    expect(text).toContain('relay_presence_backlog{instance="unit-1"} 7');
    expect(text).toContain('relay_frames_out_total{event="message",instance="unit-1"} 3');
    expect(text).toContain('relay_frames_out_total{event="ready",instance="unit-1"} 0');
    expect(text).toContain('relay_deliveries_total{instance="unit-1"} 2');
    expect(text).toContain('relay_frames_in_total{event="send_message",instance="unit-1"} 1');
    expect(text).toContain('relay_frames_in_total{event="invalid",instance="unit-1"} 1');
    // A second scrape reports the same totals, not doubled ones.
    expect(await m.exposition()).toContain('relay_frames_out_total{event="message",instance="unit-1"} 3');
  });

  it('starts the labelled counters at zero', async () => {
    const text = await metrics().exposition();
    expect(text).toContain('relay_db_errors_total{transport="ws",instance="unit-1"} 0');
    expect(text).toContain('relay_envelopes_published_total{channel="instance",instance="unit-1"} 0');
    expect(text).toContain('relay_envelopes_received_total{channel="broadcast",instance="unit-1"} 0');
  });
});
