/**
 * Keeps the emulator honest: every CRM answer any test sees is checked against the response
 * schema Zoho's OpenAPI files give for its path, method and status (test/helpers/oas.ts).
 * Loaded as a mocha root-hook plugin (`--require dist/test/helpers/oas-answers.js`, as
 * .mocharc.json does): it gives every Sandbox an `onAnswer` through DEFAULT_OPTIONS, and after
 * the run prints how many answers were validated, failed and had no schema, failing the run
 * when any failed.
 */
import fs from 'node:fs';
import { DEFAULT_OPTIONS } from '../../src/sandbox/server';
import type { AnsweredRequest } from '../../src/sandbox/types';
import { Oas, oasDir } from './oas';

/**
 * Where Zoho's files refuse an answer for a reason of their own (the file contradicts itself or
 * the documented API), the deviation is listed here with the reason; anything else fails.
 */
interface Known {
  method: string;
  template: string;
  status: number;
  error: RegExp;
  why: string;
}

const KNOWN: Known[] = [
  {
    method: 'GET',
    template: '/crm/v8/{module}/{record_id}/Attachments',
    status: 200,
    error: /missing required property/,
    why: 'the call requires `fields` (attachments.json) and answers only the fields asked for, while the schema requires every field',
  },
  {
    method: 'GET',
    template: '/crm/v8/settings/modules',
    status: 200,
    error: /missing required property fields/,
    why: 'modules.json gives the list the schema of one module, which requires `fields`; a list without them is **unverified**',
  },
  {
    method: 'GET',
    template: '/crm/v8/actions/watch',
    status: 200,
    error: /channel_id: expected object/,
    why: 'notifications.json types channel_id an object here but a string in its `event` schema and requests',
  },
  {
    method: 'POST',
    template: '/crm/v8/coql',
    status: 400,
    error: /"MANDATORY_NOT_FOUND" is not one of the enum values/,
    why: "coql.json lists no code for a missing select_query; the emulator's MANDATORY_NOT_FOUND is **unverified**",
  },
  {
    method: 'GET',
    template: '/crm/bulk/v8/read/{job_id}',
    status: 200,
    error:
      /^\$: matches none of oneOf \(closest: (?:(?:\$\.data\[0\]: missing required property result|\$\.data\[0\]\.query\.criteria[^:;]*: (?:missing required property type|expected object, got \w+))(?:; )?)+\)$/,
    why: 'bulk_read.json requires `result` in every state (the emulator gives it once COMPLETED, **unverified**), requires a `type` in each echoed criterion and types its `value` an object, while Zoho documents criteria values as strings, numbers and arrays',
  },
];

const knownFor = (method: string, template: string, status: number, error: string) =>
  KNOWN.find(
    (k) =>
      k.method === method && k.template === template && k.status === status && k.error.test(error),
  );

export interface AnswerTally {
  validated: number;
  failed: number;
  /** Answers refused only as KNOWN lists. */
  known: number;
  noSchema: number;
  /** Distinct failures: `METHOD template status (file): error`. */
  failures: Set<string>;
}

const oas = new Oas();
/** Every CRM file of the OAS folder (common.json holds shared schemas, no paths). */
const FILES = fs
  .readdirSync(oasDir())
  .filter((f) => f.endsWith('.json'))
  .sort();

export const tally: AnswerTally = {
  validated: 0,
  failed: 0,
  known: 0,
  noSchema: 0,
  failures: new Set(),
};

/** The most specific path template of any file, and that file. */
function locate(path: string): { file: string; template: string } | undefined {
  let best: { file: string; template: string; literals: number } | undefined;
  for (const file of FILES) {
    const match = oas.matchPath(file, path);
    if (match && (!best || match.literals > best.literals)) best = match;
  }
  return best;
}

/**
 * The response schema for a status: the status itself, or for a success the operation's 200
 * (Zoho's files declare 200 where the API answers 201 or 202 to a write, with the same body).
 */
function responseSchema(file: string, template: string, method: string, status: number) {
  const statuses = status >= 200 && status < 300 ? [String(status), '200'] : [String(status)];
  for (const s of statuses) {
    try {
      return oas.response(file, template, method, s);
    } catch {
      // Not declared for this status (or no JSON body): try the next.
    }
  }
  return undefined;
}

export function checkAnswer(request: AnsweredRequest, status: number, body: unknown): void {
  // `/crm/v8/__probe…` are test-only routes (helpers/sandbox.ts probeFamily), no model of Zoho.
  const crm = request.path.startsWith('/crm/v8/') || request.path.startsWith('/crm/bulk/v8/');
  if (!crm || request.path.startsWith('/crm/v8/__')) return;
  const where = locate(request.path);
  const json = body !== undefined && !Buffer.isBuffer(body) && typeof body !== 'string';
  const located =
    where && json && responseSchema(where.file, where.template, request.method, status);
  if (!where || !located) {
    tally.noSchema++;
    return;
  }
  const method = request.method.toUpperCase();
  const all = oas.check(located, body, { lenientNull: true });
  const errors = all.filter((e) => !knownFor(method, where.template, status, e));
  if (all.length === 0) tally.validated++;
  else if (errors.length === 0) tally.known++;
  if (errors.length === 0) return;
  tally.failed++;
  const head = `${request.method} ${where.template} ${status} (${where.file})`;
  for (const error of errors.slice(0, 3)) tally.failures.add(`${head}: ${error}`);
}

DEFAULT_OPTIONS.onAnswer = checkAnswer;

export const mochaHooks = {
  afterAll(this: unknown): void {
    const { validated, failed, known, noSchema, failures } = tally;
    console.log(
      `\n  OAS answer check: ${validated} CRM answers validated, ${failed} failed, ` +
        `${known} refused only as KNOWN lists, ${noSchema} with no schema`,
    );
    if (failed > 0) {
      throw new Error(
        `emulator answers that Zoho's OpenAPI files refuse:\n  ${[...failures].slice(0, 40).join('\n  ')}`,
      );
    }
  },
};
