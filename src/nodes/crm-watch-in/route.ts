/**
 * The webhook endpoint on Node-RED's HTTP node server (RED.httpNode): a POST route per node,
 * a bounded JSON body read, and removal of the route on close (Express has no API for that;
 * Node-RED's own http-in node filters the router stack the same way).
 */
import type { NodeAPI } from 'node-red';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface Req {
  body?: unknown;
  headers: Record<string, string | string[] | undefined>;
  on(event: string, listener: (...args: unknown[]) => void): void;
}
export interface Res {
  status(code: number): Res;
  set(name: string, value: string): Res;
  end(body?: string): void;
}
type App = {
  post(path: string, handler: (req: Req, res: Res) => void): void;
  _router?: { stack: Layer[] };
  router?: { stack: Layer[] };
};
interface Layer {
  route?: { path?: string; methods?: Record<string, boolean> };
}

export function watchPath(nodeId: string): string {
  return `/zoho-watch/${encodeURIComponent(nodeId)}`;
}

/** The URL Zoho must POST to: the public base + httpNodeRoot + the node's path. */
export function notifyUrl(publicBase: string, httpNodeRoot: unknown, nodeId: string): string {
  const base = publicBase.replace(/\/+$/, '');
  const root = typeof httpNodeRoot === 'string' ? httpNodeRoot.replace(/\/+$/, '') : '';
  return `${base}${root}${watchPath(nodeId)}`;
}

/** The body as JSON: already parsed by a middleware, or read here (at most 1 MB). */
export function readJson(req: Req): Promise<unknown> {
  if (req.body !== undefined && !Buffer.isBuffer(req.body) && typeof req.body !== 'string')
    return Promise.resolve(req.body);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c) => {
      const chunk = c as Buffer;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'));
      } catch {
        reject(new Error('body is not JSON'));
      }
    });
    req.on('error', (e: unknown) => reject(e instanceof Error ? e : new Error('request failed')));
  });
}

export function addRoute(RED: NodeAPI, path: string, handler: (req: Req, res: Res) => void): void {
  (RED.httpNode as unknown as App).post(path, handler);
}

export function removeRoute(RED: NodeAPI, path: string): void {
  const app = RED.httpNode as unknown as App;
  const router = app._router ?? app.router;
  if (!router) return;
  router.stack = router.stack.filter(
    (layer) => !(layer.route && layer.route.path === path && layer.route.methods?.post),
  );
}
