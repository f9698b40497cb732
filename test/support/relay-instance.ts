import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { freePort } from './free-port';

const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');
export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';

/** One real Relay server process (built `dist/main.js`), as a user would run it. */
export class RelayInstance {
  private output = '';
  private exitPromise: Promise<number | null>;

  private constructor(
    readonly process: ChildProcess,
    readonly port: number,
    readonly instanceId: string,
  ) {
    process.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    process.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exitPromise = once(process, 'exit').then(([code]) => code as number | null);
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/entrypoint`;
  }

  get logs(): string {
    return this.output;
  }

  /**
   * Starts one instance. A port that was free a moment ago may be taken by the time the child
   * binds (files run in parallel), so on a port of our choosing that happens, we try another.
   */
  static async start(env: Record<string, string>, port?: number): Promise<RelayInstance> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await RelayInstance.startOn(env, port ?? (await freePort()));
      } catch (error) {
        if (!(error instanceof PortTaken) || port !== undefined || attempt === 3) throw error;
      }
    }
  }

  private static async startOn(env: Record<string, string>, listenPort: number): Promise<RelayInstance> {
    const instanceId = env.INSTANCE_ID ?? `test-${listenPort}`;
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(listenPort),
        INSTANCE_ID: instanceId,
        JWT_SECRET: TEST_JWT_SECRET,
        LOG_LEVEL: 'warn',
        // Every test logs in from 127.0.0.1; test/login-rate-limit.e2e-spec.ts sets its own limits.
        LOGIN_LIMIT_PER_IP: '100000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const instance = new RelayInstance(child, listenPort, instanceId);
    await instance.waitUntilReady();
    return instance;
  }

  /**
   * Polls until this instance answers HTTP; fails with the server's own output if it exits or
   * stalls. An answer from another instance means the port was taken under us.
   */
  private async waitUntilReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exitPromise.then(() => (exited = true));
    while (Date.now() < deadline) {
      if (exited) throw this.output.includes('EADDRINUSE') ? new PortTaken(this.port) : new Error(`Relay exited during start-up:\n${this.output}`);
      try {
        const response = await fetch(`${this.httpUrl}/health/live`);
        const { instanceId } = (await response.json()) as { instanceId?: string };
        if (instanceId === this.instanceId) return;
        this.process.kill('SIGKILL');
        throw new PortTaken(this.port);
      } catch (error) {
        if (error instanceof PortTaken) throw error;
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.process.kill('SIGKILL');
    throw new Error(`Relay did not start within ${timeoutMs} ms:\n${this.output}`);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill(signal);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
    try {
      return await this.exitPromise;
    } finally {
      clearTimeout(timer);
    }
  }
}

class PortTaken extends Error {
  constructor(port: number) {
    super(`port ${port} was taken by another process`);
  }
}
