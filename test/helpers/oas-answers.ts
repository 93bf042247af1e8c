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

export interface AnswerTally {
  validated: number;
  failed: number;
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

export const tally: AnswerTally = { validated: 0, failed: 0, noSchema: 0, failures: new Set() };

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
  if (!request.path.startsWith('/crm/v8/')) return;
  const where = locate(request.path);
  const json = body !== undefined && !Buffer.isBuffer(body) && typeof body !== 'string';
  const located =
    where && json && responseSchema(where.file, where.template, request.method, status);
  if (!where || !located) {
    tally.noSchema++;
    return;
  }
  const errors = oas.check(located, body, { lenientNull: true });
  if (errors.length === 0) {
    tally.validated++;
    return;
  }
  tally.failed++;
  const head = `${request.method} ${where.template} ${status} (${where.file})`;
  for (const error of errors.slice(0, 3)) tally.failures.add(`${head}: ${error}`);
}

DEFAULT_OPTIONS.onAnswer = checkAnswer;

export const mochaHooks = {
  afterAll(this: unknown): void {
    const { validated, failed, noSchema, failures } = tally;
    console.log(
      `\n  OAS answer check: ${validated} CRM answers validated, ${failed} failed, ${noSchema} with no schema`,
    );
    if (failed > 0) {
      throw new Error(
        `emulator answers that Zoho's OpenAPI files refuse:\n  ${[...failures].slice(0, 40).join('\n  ')}`,
      );
    }
  },
};
