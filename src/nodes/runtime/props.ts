/**
 * Property values of flow nodes: msg.<name> when the message carries one and the node takes it
 * from msg, else the editor's TypedInput (str, num, bool, json, msg, flow, global, env, jsonata)
 * evaluated for this message.
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

/**
 * Properties that choose what is written or deleted (and where). Node-RED's convention: a msg
 * sets one only when the node leaves it to msg: a select's "set by msg" choice (FROM_MSG), a
 * TypedInput of type msg, or an empty field. A stray msg.operation must not turn a *list* node
 * into a *delete* one (issue 13, item 12).
 */
export const TARGET_PROPS: ReadonlySet<string> = new Set([
  'operation',
  'module',
  'recordId',
  'recordType',
  'parentRecordType',
  'parentRecordId',
  'organizationId',
  'attachmentId',
  'relatedList',
]);

/** The value of a select (operation, record type) that means "set by msg.<name>". */
export const FROM_MSG = 'msg';

/** The TypedInput of a select: its "set by msg" choice reads msg.<name>. */
export function selectProp(name: string, value: string | undefined): TypedValue {
  return value === FROM_MSG ? { value: name, type: 'msg' } : { value };
}

/**
 * msg[name] when set and the property takes it from msg (any property not in TARGET_PROPS, or
 * one the node leaves empty), else the evaluated editor value. `ignored` hears of a msg value
 * that a target property did not take.
 */
export async function resolveProp(
  RED: NodeAPI,
  node: Node,
  msg: NodeMessage,
  name: string,
  prop: TypedValue,
  ignored?: (name: string) => void,
): Promise<unknown> {
  const own = (msg as Record<string, unknown>)[name];
  const leftToMsg = !TARGET_PROPS.has(name) || empty(prop.value);
  if (!empty(own) && leftToMsg) return own;
  const value = await evaluate(RED, node, prop, msg, name);
  if (!empty(own) && prop.type !== 'msg' && own !== value) ignored?.(name);
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
