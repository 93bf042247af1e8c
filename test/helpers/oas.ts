/**
 * A small checker for the JSON Schema subset Zoho's OpenAPI files use: type, properties,
 * required, items, enum, $ref (local and cross-file), oneOf/anyOf/allOf, nullable and
 * additionalProperties. Cross-file refs name raw.githubusercontent.com URLs; they resolve to
 * the file of the same name in the OAS folder (../shared/zoho-crm-oas from the repo root, or
 * $ZOHO_OAS_DIR). A ref to a file that folder does not hold matches anything.
 *
 *   const oas = new Oas();
 *   expect(oas.check(oas.response('record.json', '/crm/v8/{module_api_name}', 'get'), body)).to.deep.equal([]);
 */
import fs from 'node:fs';
import path from 'node:path';

export type Schema = Record<string, unknown>;

export interface CheckOptions {
  /**
   * Accept null wherever a value is expected. Zoho's answers carry nulls its schemas do not
   * declare (e.g. `previous_page_token: null`, metadata keys that do not apply).
   */
  lenientNull?: boolean;
}

interface Located {
  schema: Schema;
  file: string;
}

function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && !dir.split(path.sep).includes('dist'))
      return dir;
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

export function oasDir(): string {
  return process.env.ZOHO_OAS_DIR ?? path.resolve(repoRoot(), '..', 'shared', 'zoho-crm-oas');
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export class Oas {
  private readonly docs = new Map<string, Schema | null>();

  constructor(readonly dir = oasDir()) {}

  /**
   * Parsed document. The folder holds a subset of Zoho's files: a `$ref` into a file that is
   * not there (`required` false) is skipped, but a file a check names must be there.
   */
  doc(file: string, required = true): Schema | null {
    if (!this.docs.has(file)) {
      const p = path.join(this.dir, file);
      this.docs.set(
        file,
        fs.existsSync(p) ? (JSON.parse(fs.readFileSync(p, 'utf8')) as Schema) : null,
      );
    }
    const doc = this.docs.get(file) ?? null;
    // A missing spec must fail the check, never pass it silently.
    if (doc === null && required) {
      throw new Error(`Zoho's OpenAPI file ${file} is missing from ${this.dir} (set ZOHO_OAS_DIR)`);
    }
    return doc;
  }

  /** Follows a `$ref` from `file`; undefined when its file is not available. */
  resolve(ref: string, file: string): Located | undefined {
    const [target, pointer = ''] = ref.split('#');
    const f = target === '' ? file : path.basename(target);
    let node: unknown = this.doc(f, f === file);
    if (node === null) return undefined;
    for (const raw of pointer.split('/').filter((s) => s !== '')) {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      if (!isObj(node) || !(key in node)) throw new Error(`unresolvable $ref ${ref} from ${file}`);
      node = node[key];
    }
    return { schema: node as Schema, file: f };
  }

  /** A schema by file and JSON pointer, e.g. ('record.json', '#/components/schemas/Record'). */
  schema(file: string, pointer: string): Located {
    const found = this.resolve(pointer.startsWith('#') ? pointer : `#${pointer}`, file);
    if (!found) throw new Error(`${file} is not in ${this.dir}`);
    return found;
  }

  /** The JSON schema of an operation's response (following response $refs). */
  response(file: string, apiPath: string, method: string, status = '200'): Located {
    const doc = this.doc(file);
    const op = (doc?.paths as Record<string, Record<string, Schema>> | undefined)?.[apiPath]?.[
      method.toLowerCase()
    ];
    if (!op) throw new Error(`${method} ${apiPath} is not in ${file}`);
    let res = (op.responses as Record<string, Schema>)[status];
    let at = file;
    if (!res) throw new Error(`${method} ${apiPath} has no ${status} response in ${file}`);
    while (typeof res.$ref === 'string') {
      const next = this.resolve(res.$ref, at);
      if (!next) throw new Error(`unresolvable ${res.$ref}`);
      res = next.schema;
      at = next.file;
    }
    const schema = (res.content as Record<string, { schema: Schema }> | undefined)?.[
      'application/json'
    ]?.schema;
    if (!schema) throw new Error(`${method} ${apiPath} ${status} has no JSON schema`);
    return { schema, file: at };
  }

  /** The path templates a file declares. */
  paths(file: string): string[] {
    return Object.keys(pathsOf(this, file));
  }

  /** The most specific template of `file` a concrete path matches (literal segments win). */
  matchPath(file: string, actual: string): PathMatch | undefined {
    let best: PathMatch | undefined;
    for (const template of this.paths(file)) {
      const bound = bindPath(template, actual);
      if (bound && (!best || bound.literals > best.literals)) best = { file, ...bound };
    }
    return best;
  }

  /** An operation object; throws when the file has no such path or method. */
  operation(file: string, template: string, method: string): Schema {
    const item = pathsOf(this, file)[template];
    if (!item) throw new Error(`${template} is not in ${file}`);
    const op = item[method.toLowerCase()];
    if (!isObj(op)) throw new Error(`${method.toUpperCase()} ${template} is not in ${file}`);
    return op;
  }

  /** Path-level and operation-level parameters (the latter win), `$ref`s resolved. */
  parameters(file: string, template: string, method: string): OasParameter[] {
    const op = this.operation(file, template, method);
    const item = pathsOf(this, file)[template];
    const byKey = new Map<string, OasParameter>();
    for (const list of [item.parameters, op.parameters]) {
      for (const raw of Array.isArray(list) ? list : []) {
        const { node, file: at } = deref(this, raw, file);
        const p = { ...(node as unknown as OasParameter), file: at };
        byKey.set(`${p.in}:${p.name.toLowerCase()}`, p);
      }
    }
    return [...byKey.values()];
  }

  /** The schema of an operation's request body for a content type; undefined when none. */
  request(
    file: string,
    template: string,
    method: string,
    contentType = 'application/json',
  ): Located | undefined {
    const op = this.operation(file, template, method);
    if (op.requestBody === undefined) return undefined;
    const { node, file: at } = deref(this, op.requestBody, file);
    const content = node.content as Record<string, { schema?: Schema }> | undefined;
    const schema = content?.[contentType]?.schema;
    return schema ? { schema, file: at } : undefined;
  }

  /**
   * Query, path and header parameters of a call against an operation: every query parameter
   * declared (by the operation or common.json's shared parameters), required ones present,
   * types and enums respected. Headers are checked when the operation declares them; a header
   * the file declares elsewhere (If-Modified-Since, X-EXTERNAL) but this operation does not is
   * reported.
   */
  checkParams(file: string, template: string, call: OasCall): string[] {
    const method = call.method.toLowerCase();
    const params = this.parameters(file, template, method);
    const shared = Object.values(
      ((this.doc('common.json', false)?.components as Schema | undefined)?.parameters ??
        {}) as Record<string, unknown>,
    ).map(
      (raw) => ({ ...deref(this, raw, 'common.json').node, file: 'common.json' }) as OasParameter,
    );
    const errors: string[] = [];
    const query = call.query ?? {};
    const declared = (name: string, where: string, list: OasParameter[]) =>
      list.find((p) => p.in === where && p.name === name);
    for (const [name, value] of Object.entries(query)) {
      const p = declared(name, 'query', params) ?? declared(name, 'query', shared);
      if (!p)
        errors.push(
          `query parameter ${name} is not declared for ${method.toUpperCase()} ${template}`,
        );
      else errors.push(...checkParamValue(this, p, value));
    }
    const bound = bindPath(template, call.path);
    const headers = Object.fromEntries(
      Object.entries(call.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
    );
    for (const p of params) {
      if (p.in === 'query' && p.required && !(p.name in query))
        errors.push(`required query parameter ${p.name} is missing`);
      if (p.in === 'path') {
        const v = bound?.pathParams[p.name];
        if (v === undefined) errors.push(`path parameter ${p.name} is not in the path`);
        else errors.push(...checkParamValue(this, p, v));
      }
      if (p.in === 'header') {
        const v = headers[p.name.toLowerCase()];
        if (v === undefined) {
          if (p.required) errors.push(`required header ${p.name} is missing`);
        } else errors.push(...checkParamValue(this, p, v));
      }
    }
    // Headers with a meaning in this file that the operation does not take.
    const fileHeaders = new Set<string>();
    const comps = (this.doc(file)?.components as Schema | undefined)?.parameters;
    for (const raw of Object.values(isObj(comps) ? comps : {})) {
      const p = raw as OasParameter;
      if (p.in === 'header') fileHeaders.add(p.name.toLowerCase());
    }
    for (const h of fileHeaders) {
      if (
        headers[h] !== undefined &&
        !params.some((p) => p.in === 'header' && p.name.toLowerCase() === h)
      )
        errors.push(`header ${h} is not declared for ${method.toUpperCase()} ${template}`);
    }
    return errors;
  }

  /**
   * Locates a call among `files` (the most specific template wins; ties check every tied file)
   * and checks method, parameters and JSON/multipart body. One entry per file checked; a call
   * no file declares gives one entry with an empty template.
   */
  checkCall(files: readonly string[], call: OasCall): CallCheck[] {
    const matches = files
      .map((f) => this.matchPath(f, call.path))
      .filter((m): m is PathMatch => m !== undefined);
    if (matches.length === 0) {
      return [
        {
          file: files.join('|'),
          template: '',
          pathParams: {},
          literals: 0,
          errors: [`no path template in ${files.join(', ')} matches ${call.path}`],
        },
      ];
    }
    const top = Math.max(...matches.map((m) => m.literals));
    return matches
      .filter((m) => m.literals === top)
      .map((m) => {
        const method = call.method.toLowerCase();
        const item = pathsOf(this, m.file)[m.template];
        if (!METHODS.includes(method) || !isObj(item[method])) {
          return {
            ...m,
            errors: [
              `${call.method.toUpperCase()} is not an operation of ${m.template} in ${m.file}`,
            ],
          };
        }
        const errors = this.checkParams(m.file, m.template, call);
        const ctRaw = Object.entries(call.headers ?? {}).find(
          ([k]) => k.toLowerCase() === 'content-type',
        )?.[1];
        const contentType = String(ctRaw ?? '')
          .split(';')[0]
          .trim()
          .toLowerCase();
        const op = this.operation(m.file, m.template, method);
        const declaresBody = op.requestBody !== undefined;
        const hasBody = contentType !== '' && call.body !== undefined;
        if (contentType === 'multipart/form-data') {
          if (!this.request(m.file, m.template, method, contentType))
            errors.push(
              `body: ${m.template} ${method.toUpperCase()} declares no multipart/form-data body`,
            );
        } else if (hasBody) {
          const located = this.request(m.file, m.template, method, contentType);
          if (!located)
            errors.push(
              `body: ${method.toUpperCase()} ${m.template} declares no ${contentType} request body`,
            );
          else errors.push(...this.check(located, call.body).map((e) => `body ${e}`));
        } else if (declaresBody && deref(this, op.requestBody, m.file).node.required === true) {
          errors.push(`body: the required request body is missing`);
        }
        return { ...m, errors };
      });
  }

  /** Problems found, as `path: message` strings; empty when the value matches. */
  check(located: Located, value: unknown, opts: CheckOptions = {}): string[] {
    const errors: string[] = [];
    this.walk(located.schema, located.file, value, '$', errors, opts, 0);
    return errors;
  }

  private walk(
    schema: Schema,
    file: string,
    value: unknown,
    at: string,
    errors: string[],
    opts: CheckOptions,
    depth: number,
  ): void {
    if (depth > 60) return;
    if (typeof schema.$ref === 'string') {
      const next = this.resolve(schema.$ref, file);
      if (next) this.walk(next.schema, next.file, value, at, errors, opts, depth + 1);
      return;
    }
    if (value === null && (schema.nullable === true || opts.lenientNull)) return;
    for (const key of ['oneOf', 'anyOf'] as const) {
      const alts = schema[key];
      if (!Array.isArray(alts)) continue;
      const results = alts.map((alt: Schema) => {
        const e: string[] = [];
        this.walk(alt, file, value, at, e, opts, depth + 1);
        return e;
      });
      // At least one alternative: Zoho's oneOf alternatives overlap (loose objects).
      if (!results.some((e) => e.length === 0)) {
        const best = results.reduce((a, b) => (b.length < a.length ? b : a));
        errors.push(`${at}: matches none of ${key} (closest: ${best.slice(0, 3).join('; ')})`);
      }
    }
    if (Array.isArray(schema.allOf)) {
      for (const part of schema.allOf as Schema[])
        this.walk(part, file, value, at, errors, opts, depth + 1);
    }
    const type = schema.type;
    if (typeof type === 'string' && !typeMatches(type, value)) {
      errors.push(
        `${at}: expected ${type}, got ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`,
      );
      return;
    }
    if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
      errors.push(`${at}: ${JSON.stringify(value)} is not one of the enum values`);
    }
    if (isObj(value)) {
      const props = isObj(schema.properties) ? schema.properties : {};
      for (const r of Array.isArray(schema.required) ? (schema.required as string[]) : []) {
        if (!(r in value)) errors.push(`${at}: missing required property ${r}`);
      }
      for (const [k, v] of Object.entries(value)) {
        const sub = props[k];
        if (isObj(sub)) this.walk(sub, file, v, `${at}.${k}`, errors, opts, depth + 1);
        else if (schema.additionalProperties === false)
          errors.push(`${at}: unexpected property ${k}`);
        else if (isObj(schema.additionalProperties)) {
          this.walk(schema.additionalProperties, file, v, `${at}.${k}`, errors, opts, depth + 1);
        }
      }
    }
    if (Array.isArray(value) && isObj(schema.items)) {
      value.forEach((item, i) =>
        this.walk(schema.items as Schema, file, item, `${at}[${i}]`, errors, opts, depth + 1),
      );
    }
  }
}

function typeMatches(type: string, v: unknown): boolean {
  switch (type) {
    case 'object':
      return isObj(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return true;
  }
}

// ---------------------------------------------------------------------------------------------
// Requests: locating an operation for a concrete call and checking its parameters and body.

/** One parameter of an operation, `$ref`s resolved. */
export interface OasParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
  /** The file the parameter (and its schema's local refs) comes from. */
  file: string;
}

/** A concrete request, as the sandbox records it. */
export interface OasCall {
  method: string;
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string | string[] | undefined>;
  body?: unknown;
}

/** Where a concrete path lands in one file. */
export interface PathMatch {
  file: string;
  template: string;
  pathParams: Record<string, string>;
  /** Literal segments matched: more is more specific. */
  literals: number;
}

export interface CallCheck extends PathMatch {
  errors: string[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

function pathsOf(o: Oas, file: string): Record<string, Record<string, unknown>> {
  return (o.doc(file)?.paths ?? {}) as Record<string, Record<string, unknown>>;
}

function deref(o: Oas, node: unknown, file: string): { node: Schema; file: string } {
  let at = file;
  let cur = node as Schema;
  for (let i = 0; i < 20 && isObj(cur) && typeof cur.$ref === 'string'; i++) {
    const next = o.resolve(cur.$ref, at);
    if (!next) throw new Error(`unresolvable ${cur.$ref} from ${at}`);
    cur = next.schema;
    at = next.file;
  }
  return { node: cur, file: at };
}

function checkParamValue(o: Oas, p: OasParameter, raw: string | string[]): string[] {
  const where = `${p.in} parameter ${p.name}`;
  const schema = p.schema ? deref(o, p.schema, p.file).node : {};
  if (Array.isArray(raw)) {
    return schema.type === 'array' ? [] : [`${where} is given ${raw.length} times`];
  }
  const errors: string[] = [];
  switch (schema.type) {
    case 'integer':
      if (!/^-?\d+$/.test(raw)) errors.push(`${where}: "${raw}" is not an integer`);
      else if (schema.format === 'int32' && Math.abs(Number(raw)) > 2147483647)
        errors.push(`${where}: ${raw} is out of int32 range`);
      break;
    case 'number':
      if (raw.trim() === '' || !Number.isFinite(Number(raw)))
        errors.push(`${where}: "${raw}" is not a number`);
      break;
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') errors.push(`${where}: "${raw}" is not a boolean`);
      break;
    default:
      break;
  }
  if (schema.format === 'date-time' && !DATE_TIME_RE.test(raw))
    errors.push(`${where}: "${raw}" is not an ISO 8601 date-time`);
  if (Array.isArray(schema.enum) && !schema.enum.map(String).includes(raw))
    errors.push(`${where}: "${raw}" is not one of ${schema.enum.map(String).join(', ')}`);
  if (raw === '' && p.in !== 'header') errors.push(`${where} is empty`);
  return errors;
}

/** A template's path parameters in a concrete path; undefined when it does not match. */
function bindPath(template: string, actual: string): Omit<PathMatch, 'file'> | undefined {
  const parts = actual.split('/').filter((s) => s !== '');
  const tparts = template.split('/').filter((s) => s !== '');
  if (tparts.length !== parts.length) return undefined;
  const pathParams: Record<string, string> = {};
  let literals = 0;
  for (let i = 0; i < tparts.length; i++) {
    const m = /^\{(.+)\}$/.exec(tparts[i]);
    if (m) pathParams[m[1]] = parts[i];
    else if (tparts[i] === parts[i]) literals++;
    else return undefined;
  }
  return { template, pathParams, literals };
}
