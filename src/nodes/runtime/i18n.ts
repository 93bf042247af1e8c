/**
 * Every text a user reads at run time (statuses, errors, warnings) goes through Node-RED's
 * `RED._`, with keys in `nodes/locales/<lang>/<node-type>.json`. Keys are always given with
 * their full namespace: Node-RED names a node set's catalog `<module>/<set>`, and texts every
 * node shares live in zoho-config's catalog under `zoho-config.runtime`.
 */
import type { NodeAPI } from 'node-red';

export const PACKAGE_NAME = 'node-red-contrib-zoho';

/** The node sets of this package, as package.json's `node-red.nodes` names them. */
export type NodeSet =
  | 'zoho-config'
  | 'crm-record'
  | 'crm-coql'
  | 'crm-attachment'
  | 'books-record'
  | 'zoho-raw'
  | 'crm-watch-in'
  | 'crm-bulk'
  | 'books-watch-in';

export type TextParams = Record<string, string | number | undefined>;

/** Translates a key of one node set's catalog: `t('status.done')` → `<set>.status.done`. */
export type Translate = (key: string, params?: TextParams) => string;

/** Texts without parameters kept per key: a few dozen keys, far below this. */
const MAX_CACHED_TEXTS = 1_000;

export function translator(RED: NodeAPI, set: NodeSet): Translate {
  const translate = RED._ as (key: string, params?: TextParams) => string;
  // i18next resolves its language hierarchy on every call (a fifth of a status update's cost);
  // Node-RED's runtime language is fixed for the process, so a text without parameters is too.
  const fixed = new Map<string, string>();
  return (key, params) => {
    if (params) return translate(`${PACKAGE_NAME}/${set}:${set}.${key}`, params);
    let text = fixed.get(key);
    if (text === undefined) {
      text = translate(`${PACKAGE_NAME}/${set}:${set}.${key}`);
      if (fixed.size < MAX_CACHED_TEXTS) fixed.set(key, text);
    }
    return text;
  };
}

/** The texts every node shares (connection states, error kinds): zoho-config's `runtime.*`. */
export function sharedTranslator(RED: NodeAPI): Translate {
  const t = translator(RED, 'zoho-config');
  return (key, params) => t(`runtime.${key}`, params);
}
