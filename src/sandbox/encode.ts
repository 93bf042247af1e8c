/**
 * A reply's body as bytes on the wire. Encoded while the call's latency runs out rather than
 * after it: Zoho serialises inside its round trip, and on the emulator's one core ten answers
 * of 2,000 rows serialised back to back after their timers fire would add their cost to every
 * round of a parallel read (issue 19).
 */
import type { SandboxReply } from './types';

export interface EncodedBody {
  /**
   * Text goes out as a string (sent as UTF-8): the socket encodes it as it writes, where a
   * Buffer.from first would copy a 2,000-row page once more on the emulator's one core.
   */
  payload?: Buffer | string;
  /** The payload's length in bytes (Content-Length). */
  bytes?: number;
  /** Content-Type to send when the reply names none. */
  type?: string;
}

export function encodeBody(reply: SandboxReply): EncodedBody {
  if (reply.status === 204 || reply.status === 304 || reply.body === undefined) return {};
  const { body, contentType } = reply;
  if (Buffer.isBuffer(body)) {
    return { payload: body, bytes: body.length, type: contentType ?? 'application/octet-stream' };
  }
  if (typeof body === 'string') return text(body, contentType ?? 'text/plain; charset=utf-8');
  return text(JSON.stringify(body), contentType ?? 'application/json;charset=UTF-8');
}

function text(payload: string, type: string): EncodedBody {
  return { payload, bytes: Buffer.byteLength(payload, 'utf8'), type };
}
