/**
 * Forged callbacks for crm-watch-in's webhook: what someone who can reach Node-RED's HTTP port
 * but does not hold the channel token might POST (or GET, PUT, …) to the route, sent as raw
 * HTTP so paths reach the server exactly as written (fetch would resolve `..` first).
 */
import * as http from 'node:http';

export interface Forged {
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

export interface Target {
  nodeId: string;
  token: string;
  channelId: string;
  /** Another watch node's channel, on the same Node-RED. */
  other: { nodeId: string; token: string; channelId: string };
}

const JSON_TYPE = { 'Content-Type': 'application/json' };

/** Every forged variant against `t`'s route; none carries t's token in a place that counts. */
export function forgedVariants(t: Target): Forged[] {
  const route = `/zoho-watch/${t.nodeId}`;
  const body = (over: Record<string, unknown>, drop: string[] = []): string => {
    const b: Record<string, unknown> = {
      server_time: Date.now(),
      module: 'Leads',
      resource_uri: 'https://www.zohoapis.com/crm/v8/Leads',
      ids: ['4876876000000999999'],
      affected_fields: [],
      operation: 'insert',
      channel_id: t.channelId,
      ...over,
    };
    for (const k of drop) delete b[k];
    return JSON.stringify(b);
  };
  const post = (
    label: string,
    b: string | Buffer,
    headers: Record<string, string> = JSON_TYPE,
    path = route,
  ): Forged => ({
    label,
    method: 'POST',
    path,
    headers,
    body: b,
  });
  const out: Forged[] = [];
  const tok = t.token;

  out.push(post('missing token', body({}, ['token'])));
  const odd: [string, unknown][] = [
    ['empty', ''],
    ['null', null],
    ['zero', 0],
    ['number', 12345],
    ['true', true],
    ['empty array', []],
    ['array holding the token', [tok]],
    ['object holding the token', { token: tok }],
  ];
  for (const [label, value] of odd) out.push(post(`token ${label}`, body({ token: value })));

  // Wrong tokens of every length from 1 to 60, seeded so a failure repeats.
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let len = 1; len <= 60; len++) {
    const wrong = Array.from({ length: len }, () => alphabet[Math.floor(rnd() * 64)]).join('');
    out.push(post(`random token of ${len}`, body({ token: wrong })));
  }
  // Same length, one character off, at every position (first, middle and last among them).
  for (let i = 0; i < tok.length; i++) {
    for (const shift of [1, 31]) {
      const c = alphabet[(alphabet.indexOf(tok[i]) + shift) % 64];
      const near = tok.slice(0, i) + c + tok.slice(i + 1);
      out.push(post(`one char off at ${i} (+${shift})`, body({ token: near })));
    }
  }
  const near: [string, string][] = [
    [
      'case flipped',
      [...tok].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
    ],
    ['token + x', `${tok}x`],
    ['token minus last char', tok.slice(0, -1)],
    ['leading space', ` ${tok}`],
    ['trailing space', `${tok} `],
    ['trailing newline', `${tok}\n`],
    ['trailing NUL', `${tok}\u0000`],
    ['doubled', tok + tok],
    ['reversed', [...tok].reverse().join('')],
  ];
  for (const [label, value] of near) out.push(post(`token ${label}`, body({ token: value })));

  out.push(post("another channel's token", body({ token: t.other.token })));
  out.push(
    post(
      "another channel's token and id",
      body({ token: t.other.token, channel_id: t.other.channelId }),
    ),
  );

  // Not JSON, or JSON that is not an object.
  const notJson: [string, string, Record<string, string>][] = [
    ['plain text', 'hello', JSON_TYPE],
    ['truncated JSON', body({ token: 'x' }).slice(0, 40), JSON_TYPE],
    [
      'XML',
      `<watch><token>${'x'.repeat(32)}</token></watch>`,
      { 'Content-Type': 'application/xml' },
    ],
    [
      'form with a wrong token',
      `token=abc&channel_id=${t.channelId}`,
      { 'Content-Type': 'application/x-www-form-urlencoded' },
    ],
    ['empty body', '', JSON_TYPE],
    ['JSON string', JSON.stringify('token'), JSON_TYPE],
    ['JSON array', JSON.stringify([{ token: 'x', channel_id: t.channelId }]), JSON_TYPE],
    ['JSON null', 'null', JSON_TYPE],
    ['byte order mark', `\ufeff${body({ token: 'x' })}`, JSON_TYPE],
  ];
  for (const [label, b, headers] of notJson) out.push(post(`not JSON: ${label}`, b, headers));

  // Huge bodies: past the 1 MB the route reads, a genuine-looking one with a wrong token too.
  const pad = 'x'.repeat(2 * 1024 * 1024);
  out.push(post('huge body, wrong token', body({ token: 'x', pad })));
  out.push(post('huge body, not JSON', Buffer.alloc(3 * 1024 * 1024, 0x41)));

  // Wrong content types with a wrong token.
  for (const type of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data',
    'application/octet-stream',
    '',
  ])
    out.push(
      post(
        `content type "${type}"`,
        body({ token: 'wrong' }),
        type ? { 'Content-Type': type } : {},
      ),
    );

  // Other methods, the token where a careless route might look for it.
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']) {
    const b = method === 'GET' || method === 'HEAD' ? '' : body({ token: 'wrong' });
    out.push({ label: `${method}`, method, path: route, headers: JSON_TYPE, body: b });
    out.push({
      label: `${method} ?token=`,
      method,
      path: `${route}?token=wrong&channel_id=${t.channelId}`,
      headers: {},
      body: '',
    });
  }

  // Path tricks on the route, each with no token and with a wrong one.
  const id = t.nodeId;
  const enc = [...id].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');
  const paths = [
    `${route}/../x`,
    `/zoho-watch/x/../${id}`,
    `${route}/..%2Fx`,
    `/zoho-watch/${id}%2F..%2Fx`,
    `/zoho-watch/%2e%2e/${id}`,
    `/zoho-watch/..%2f${id}`,
    `/zoho-watch/${t.other.nodeId}/../${id}`,
    `/x/../zoho-watch/${id}`,
    `/zoho-watch/${enc}`,
    `//zoho-watch/${id}`,
    `/zoho-watch//${id}`,
    `${route}/`,
    `${route}/extra`,
    `${route}%00`,
    `${route};x=1`,
    `${route}?channel_id=${t.channelId}`,
    `${route.toUpperCase()}`,
    `/zoho-watch`,
    `/zoho-watch/`,
    `/zoho-watch/*`,
  ];
  for (const p of paths) {
    out.push(post(`path ${p}, no token`, body({}, ['token']), JSON_TYPE, p));
    out.push(post(`path ${p}, wrong token`, body({ token: `${tok.slice(0, -1)}!` }), JSON_TYPE, p));
  }
  return out;
}

/** Sends one request as written; the status, or 0 when the server cut the connection. */
export function sendRaw(base: string, f: Forged): Promise<number> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const req = http.request({
      host: url.hostname,
      port: url.port,
      method: f.method,
      path: f.path,
      headers: { ...f.headers, 'Content-Length': String(Buffer.byteLength(f.body)) },
      agent: false,
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(f.body);
  });
}
