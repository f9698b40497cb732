import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AppLogger } from './app-logger.service';

function capture(level = 'trace'): { logger: AppLogger; lines: () => Record<string, unknown>[] } {
  let text = '';
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => ((text += chunk.toString()), done()) });
  const logger = new AppLogger(pino({ level, base: undefined, timestamp: false }, sink));
  return { logger, lines: () => text.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
}

const STACK = 'Error: boom\n    at handler (/app/dist/x.js:10:5)';

describe(AppLogger.name, () => {
  it('reads the arguments the way Nest passes them from `new Logger(context)`', () => {
    const { logger, lines } = capture();
    logger.log('listening', 'Relay');
    logger.verbose('details', 'Relay');
    logger.error('failed', STACK, 'Shutdown');
    logger.error('no stack', undefined, 'Shutdown');
    expect(lines()).toEqual([
      { level: 30, context: 'Relay', msg: 'listening' },
      { level: 10, context: 'Relay', msg: 'details' },
      { level: 50, context: 'Shutdown', stack: STACK, msg: 'failed' },
      { level: 50, context: 'Shutdown', msg: 'no stack' },
    ]);
  });

  it("tells error's lone extra argument apart: a stack, or a context", () => {
    const { logger, lines } = capture();
    logger.error('with stack', STACK);
    logger.error('with context', 'Config');
    expect(lines()).toEqual([
      { level: 50, stack: STACK, msg: 'with stack' },
      { level: 50, context: 'Config', msg: 'with context' },
    ]);
  });

  it('keeps an Error message and plain objects as fields', () => {
    const { logger, lines } = capture();
    const error = new Error('exploded');
    logger.error(error, 'Worker');
    logger.warn('slow', { ms: 120 }, 'Bus');
    expect(lines()).toEqual([
      { level: 50, context: 'Worker', stack: error.stack, msg: 'exploded' },
      { level: 40, context: 'Bus', ms: 120, msg: 'slow' },
    ]);
  });

  it('skips levels the root logger does not write', () => {
    const { logger, lines } = capture('warn');
    logger.debug('hidden', 'Relay');
    logger.log('hidden too', 'Relay');
    logger.warn('shown', 'Relay');
    expect(lines()).toEqual([{ level: 40, context: 'Relay', msg: 'shown' }]);
  });
});
