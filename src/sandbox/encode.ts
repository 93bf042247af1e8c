/**
 * A reply's body as bytes on the wire. Encoded while the call's latency runs out rather than
 * after it: Zoho serialises inside its round trip, and on the emulator's one core ten answers
 * of 2,000 rows serialised back to back after their timers fire would add their cost to every
 * round of a parallel read (issue 19).
 */
import type { SandboxReply } from './types';

export interface EncodedBody {
  payload?: Buffer;
  /** Content-Type to send when the reply names none. */
  type?: string;
}

export function encodeBody(reply: SandboxReply): EncodedBody {
  if (reply.status === 204 || reply.status === 304 || reply.body === undefined) return {};
  const { body, contentType } = reply;
  if (Buffer.isBuffer(body)) {
    return { payload: body, type: contentType ?? 'application/octet-stream' };
  }
  if (typeof body === 'string') {
    return { payload: Buffer.from(body), type: contentType ?? 'text/plain; charset=utf-8' };
  }
  return {
    payload: Buffer.from(JSON.stringify(body)),
    type: contentType ?? 'application/json;charset=UTF-8',
  };
}
