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
