/**
 * zoho-raw: any Zoho API call through the connection's one request path. The library checks
 * every option (src/zoho/core/raw.ts) and refuses, before anything is sent, what could send the
 * token elsewhere or replace it; this file gathers editor properties and msg overrides, which
 * input.ts turns into the client's typed options.
 */
import type { Node, NodeAPI } from 'node-red';
import { buildRawRequest, describeRawRequest } from '../../zoho/core/raw';
import { RawInput, isResponseHeaders, rawRequestOf } from './input';
import { FlowNodeDef, setupFlowNode } from '../runtime/flow-node';
import { attachOutbox, flushRequested } from '../runtime/outbox';
import { RawOutboxDef, callWithOutbox, rawReplay, responseMsg } from './outbox';
import type { Translate } from '../runtime/i18n';
import { evaluate } from '../runtime/props';

/** Options the user sets in the node or msg, each with a `zoho-raw.param.<name>` text. */
const PARAMS = [
  'product',
  'method',
  'url',
  'path',
  'query',
  'headers',
  'body',
  'payload',
  'bodyType',
  'fileData',
  'fileNames',
  'fileField',
  'responseType',
  'timeout',
  'maxRetries',
  'retryDelay',
] as const;

interface ZohoRawDef extends FlowNodeDef, RawOutboxDef {
  product?: string;
  method?: string;
  url?: string;
  urlType?: string;
  query?: string;
  queryType?: string;
  headers?: string;
  headersType?: string;
  bodyType?: string;
  responseType?: string;
  timeout?: string | number;
  maxRetries?: string | number;
  retryDelay?: string | number;
  exponentialBackoff?: boolean;
  retryOnAllErrors?: boolean;
  passThroughErrors?: boolean;
  debug?: boolean;
}

function describeResponse(
  t: Translate,
  status: number,
  headers: Record<string, string>,
  data: unknown,
): string {
  const size = Buffer.isBuffer(data)
    ? t('log.bytes', { count: data.length })
    : typeof data === 'string'
      ? t('log.chars', { count: data.length })
      : data === undefined
        ? t('log.noBody')
        : t('log.json');
  return t('log.response', { status, contentType: headers['content-type'] ?? '', size });
}

export = function (RED: NodeAPI): void {
  function ZohoRaw(this: Node, def: ZohoRawDef): void {
    RED.nodes.createNode(this, def);
    const parts = setupFlowNode(RED, this, def, PARAMS, async (ctx) => {
      if (await flushRequested(ctx, def)) return;
      const { msg, conn, status, t } = ctx;
      const pick = (name: string, value: unknown) => (msg[name] !== undefined ? msg[name] : value);
      // msg.headers written by an earlier zoho-raw (response headers) are not request headers.
      const ownHeaders = msg.headers !== undefined && !isResponseHeaders(msg.headers);
      const input: RawInput = {
        product: await ctx.prop('product', { value: def.product }),
        method: await ctx.prop('method', { value: def.method }),
        url: await ctx.prop('url', { value: def.url, type: def.urlType }),
        query: await ctx.prop('query', { value: def.query, type: def.queryType || 'json' }),
        headers: ownHeaders
          ? msg.headers
          : await evaluate(
              RED,
              this,
              { value: def.headers, type: def.headersType || 'json' },
              msg,
              'headers',
            ),
        body: msg.payload,
        bodyType: pick('bodyType', def.bodyType),
        fileData: msg.fileData,
        fileNames: msg.fileNames,
        fileField: msg.fileField,
        responseType: pick('responseType', def.responseType),
        timeout: pick('timeout', def.timeout),
        maxRetries: pick('maxRetries', def.maxRetries),
        retryDelay: pick('retryDelay', def.retryDelay),
        exponentialBackoff: pick('exponentialBackoff', def.exponentialBackoff !== false),
        retryOnAllErrors: pick('retryOnAllErrors', def.retryOnAllErrors === true),
        passThroughErrors: def.passThroughErrors === true,
        signal: ctx.signal,
      };
      const spec = buildRawRequest(rawRequestOf(input));
      if (def.debug) {
        const request = describeRawRequest(spec, conn.secrets());
        this.log(conn.redact(t('log.request', { request })));
      }
      const res = await callWithOutbox(ctx, def, input, () => conn.request(spec));
      if (!res) return; // queued: no output until it is delivered
      if (def.debug) this.log(conn.redact(describeResponse(t, res.status, res.headers, res.data)));
      ctx.send(responseMsg(msg, res));
      const http = t('status.http', { status: res.status });
      if (res.status >= 400) status.warn(http);
      else status.done(http);
    });
    // Delivery of this node's calls waiting in the connection's outbox (if it queues).
    this.on('close', attachOutbox(RED, this, def, parts, rawReplay(RED, PARAMS)));
  }

  RED.nodes.registerType('zoho-raw', ZohoRaw);
};
