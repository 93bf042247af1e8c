/**
 * Property values of flow nodes: msg.<name> when the message carries one, else the editor's
 * TypedInput (str, num, bool, json, msg, flow, global, env, jsonata) evaluated for this message.
 */
import type { Node, NodeAPI, NodeMessage } from 'node-red';
import { ZohoError, invalidInput } from '../../zoho/core/errors';
import { sharedTranslator } from './i18n';

export interface TypedValue {
  value?: unknown;
  type?: string;
}

function empty(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

/** The input error of a TypedInput that cannot be evaluated; `name` is the option. */
function notEvaluated(RED: NodeAPI, name: string, type: string, cause: unknown): ZohoError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return invalidInput(sharedTranslator(RED)('errors.evaluate', { name, type, message }), name);
}

/** Evaluates a TypedInput value; an empty value is undefined. */
export function evaluate(
  RED: NodeAPI,
  node: Node,
  prop: TypedValue,
  msg: NodeMessage,
  name: string,
): Promise<unknown> {
  const type = prop.type || 'str';
  if (empty(prop.value)) return Promise.resolve(undefined);
  if (type === 'str') return Promise.resolve(String(prop.value));
  return new Promise((resolve, reject) => {
    try {
      RED.util.evaluateNodeProperty(String(prop.value), type, node, msg, (err, value) => {
        if (err) reject(notEvaluated(RED, name, type, err));
        else resolve(value);
      });
    } catch (err) {
      reject(notEvaluated(RED, name, type, err));
    }
  });
}

/** msg[name] when set (msg overrides the editor), else the evaluated editor value. */
export async function resolveProp(
  RED: NodeAPI,
  node: Node,
  msg: NodeMessage,
  name: string,
  prop: TypedValue,
): Promise<unknown> {
  const own = (msg as Record<string, unknown>)[name];
  if (!empty(own)) return own;
  const value = await evaluate(RED, node, prop, msg, name);
  return empty(value) ? undefined : value;
}

/** A plain string property (trimmed), or undefined. */
export function text(value: unknown): string | undefined {
  if (empty(value)) return undefined;
  return typeof value === 'string' ? value.trim() || undefined : String(value);
}

/** A checkbox or a msg boolean ("true"/"false" strings too). */
export function flag(value: unknown): boolean {
  return value === true || value === 'true';
}

/** A whole number property or undefined; the library checks the range. */
export function int(value: unknown): number | string | undefined {
  if (empty(value)) return undefined;
  return typeof value === 'number' ? value : String(value).trim();
}
