/**
 * Zoho's Bulk Write callback for crm-bulk: a POST route on Node-RED's HTTP node server (the one
 * http-in helper, crm-watch-in/route.ts), `/zoho-bulk/<node id>?token=<random>`. Only a call
 * with this node's token (compared in constant time) wakes a waiting job; its body is trusted for
 * nothing but the job id, the job's state is then read from Zoho.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NodeAPI } from 'node-red';
import type { BulkCallback } from '../../zoho/crm/bulk-write';
import { type Req, type Res, addRoute, readJson, removeRoute } from '../crm-watch-in/route';

export function bulkPath(nodeId: string): string {
  return `/zoho-bulk/${encodeURIComponent(nodeId)}`;
}

function sameToken(given: unknown, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class BulkCallbacks {
  private readonly token = randomBytes(24).toString('hex');
  /** Jobs of messages in flight waiting for their callback; each removed when its message ends. */
  private readonly waiting = new Map<string, () => void>();
  private readonly path: string;

  constructor(
    private readonly RED: NodeAPI,
    nodeId: string,
  ) {
    this.path = bulkPath(nodeId);
    addRoute(RED, this.path, (req, res) => void this.handle(req, res));
  }

  private async handle(req: Req & { query?: Record<string, unknown> }, res: Res): Promise<void> {
    if (!sameToken(req.query?.token, this.token)) {
      res.status(403).end();
      return;
    }
    const body = await readJson(req).catch(() => undefined);
    res.status(200).end();
    const id = (body as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string') this.waiting.get(id)?.();
  }

  /** A callback for one message's jobs, given the public base URL; dispose() when it ends. */
  forMessage(publicBase: string): { callback: BulkCallback; dispose(): void } {
    const base = publicBase.replace(/\/+$/, '');
    const rootSetting = this.RED.settings.httpNodeRoot as unknown;
    const root = typeof rootSetting === 'string' ? rootSetting.replace(/\/+$/, '') : '';
    const jobs: string[] = [];
    return {
      callback: {
        url: `${base}${root}${this.path}?token=${this.token}`,
        arrived: (job) =>
          new Promise<void>((resolve) => {
            jobs.push(job);
            this.waiting.set(job, () => {
              this.waiting.delete(job);
              resolve();
            });
          }),
      },
      dispose: () => jobs.forEach((job) => this.waiting.delete(job)),
    };
  }

  close(): void {
    this.waiting.clear();
    removeRoute(this.RED, this.path);
  }
}
