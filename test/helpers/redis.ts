/**
 * A real redis-server (Debian's binary) for the shared-state suites: on a free loopback port,
 * nothing written to disk, stopped after the suite. `stop()` and `start()` again on the same
 * port model Redis going away and coming back.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as net from 'node:net';

export const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export class RedisServer {
  private child?: ChildProcess;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(extra: string[] = []): Promise<void> {
    if (this.child) return;
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', ''];
    const child = spawn(REDIS_SERVER, [...args, '--appendonly', 'no', ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start: ${out}`)),
        10_000,
      );
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (/Ready to accept connections/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}): ${out}`));
      });
    });
    child.stdout?.resume();
  }

  /** Kills the server at once (SIGKILL: no goodbye to its clients) and waits for its exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

/** Starts a server for the suite (before) and stops it (after). */
export function useRedis(): { readonly server: RedisServer } {
  let server: RedisServer | undefined;
  before(async () => {
    server = new RedisServer(await freePort());
    await server.start();
  });
  after(async () => {
    await server?.stop();
  });
  return {
    get server(): RedisServer {
      if (!server) throw new Error('useRedis: only inside tests');
      return server;
    },
  };
}
