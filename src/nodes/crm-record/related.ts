/**
 * crm-record's operations on what hangs off a record: its related lists (list, link with the
 * relation's fields, unlink), its notes (list, add to one or many records, update, delete) and
 * tags (add or remove on many records, list a module's tags). Lists page like list; writes
 * answer one result per input item in input order, as create/update/delete do.
 */
import type { NodeAPI } from 'node-red';
import * as crm from '../../zoho/crm/index';
import { invalidInput } from '../../zoho/core/errors';
import { checkRecordIds, isPlainObject } from '../../zoho/core/validate';
import type { InputContext } from '../runtime/flow-node';
import { recordsText, sendPages } from '../runtime/pages';
import { flag, int, text } from '../runtime/props';
import { CrmRecordDef, CrmRecordInput, idsOf } from './input';
import { sendWriteResult } from './write';

type Run = (
  RED: NodeAPI,
  ctx: InputContext,
  def: CrmRecordDef,
  input: CrmRecordInput,
) => Promise<void>;

function recordIdOf(ctx: InputContext, input: CrmRecordInput): string {
  if (input.recordId === undefined) throw invalidInput(ctx.t('errors.noRecordId'), 'recordId');
  return input.recordId as string;
}

async function relatedRef(
  ctx: InputContext,
  def: CrmRecordDef,
  input: CrmRecordInput,
): Promise<crm.RelatedListRef> {
  const relatedList = text(
    await ctx.prop('relatedList', { value: def.relatedList, type: def.relatedListType }),
  );
  if (relatedList === undefined) throw invalidInput(ctx.t('errors.noRelatedList'), 'relatedList');
  return { module: input.module, recordId: recordIdOf(ctx, input), relatedList };
}

/** A page of a related list, or every page (returnAll) in one message or one per page. */
async function listPaged(
  RED: NodeAPI,
  ctx: InputContext,
  def: CrmRecordDef,
  input: CrmRecordInput,
  ref: crm.RelatedListRef,
): Promise<void> {
  const { msg, conn, signal } = ctx;
  const { fields, perPage } = input;
  if (input.returnAll) {
    const walk = crm.listAllRelatedRecords(conn, ref, { fields, perPage, signal });
    await sendPages(RED, ctx, walk, input.output, perPage ? Number(perPage) : crm.MAX_PER_PAGE);
    return;
  }
  const page = int(await ctx.prop('page', { value: def.page })) as number | undefined;
  const result = await crm.listRelatedRecords(conn, ref, { fields, perPage, page, signal });
  msg.payload = result.records;
  msg.info = result.info;
  ctx.send(msg);
  ctx.status.done(recordsText(ctx.shared, result.records.length));
}

/** Options every batched write shares: progress, side-by-side calls, a gentle stop on close. */
function writeOptions(ctx: InputContext, stop: AbortSignal) {
  return {
    signal: ctx.signal,
    stop,
    concurrency: ctx.conn.maxConcurrency,
    onProgress: (done: number, count: number) =>
      ctx.status.requesting(ctx.t('status.batch', { done, count })),
  };
}

/** Ids to act on: the node's Record id when set, else msg.payload (ids or records). */
function targetIds(ctx: InputContext, input: CrmRecordInput): string[] {
  const ids = input.recordId !== undefined ? input.recordId : idsOf(ctx.msg.payload);
  return checkRecordIds(ids, input.recordId !== undefined ? 'recordId' : 'ids');
}

const listRelated: Run = async (RED, ctx, def, input) =>
  listPaged(RED, ctx, def, input, await relatedRef(ctx, def, input));

const linkRelated: Run = async (_RED, ctx, def, input) => {
  const ref = await relatedRef(ctx, def, input);
  const stop = ctx.finishOnClose();
  const records = ctx.msg.payload as Parameters<typeof crm.linkRelatedRecords>[2];
  const result = await crm.linkRelatedRecords(ctx.conn, ref, records, writeOptions(ctx, stop));
  sendWriteResult(ctx, result, stop, 'written');
};

const unlinkRelated: Run = async (_RED, ctx, def, input) => {
  const ref = await relatedRef(ctx, def, input);
  const stop = ctx.finishOnClose();
  const ids = checkRecordIds(idsOf(ctx.msg.payload), 'ids');
  const result = await crm.unlinkRelatedRecords(ctx.conn, ref, ids, writeOptions(ctx, stop));
  sendWriteResult(ctx, result, stop, 'written');
};

const listNotes: Run = async (RED, ctx, def, input) =>
  listPaged(RED, ctx, def, input, {
    module: input.module,
    recordId: recordIdOf(ctx, input),
    relatedList: crm.NOTES_MODULE,
  });

/** One note (Note title / Note content, or msg.payload `{ title, content }`) on every record. */
const addNote: Run = async (_RED, ctx, def, input) => {
  const { msg } = ctx;
  const title = await ctx.prop('noteTitle', { value: def.noteTitle, type: def.noteTitleType });
  const content = await ctx.prop('noteContent', {
    value: def.noteContent,
    type: def.noteContentType,
  });
  const note: unknown =
    content === undefined && isPlainObject(msg.payload) ? msg.payload : { title, content };
  if (input.recordId === undefined) throw invalidInput(ctx.t('errors.noRecordId'), 'recordId');
  // Records (a list's output) or ids, as delete takes them.
  const parents = checkRecordIds(idsOf(input.recordId), 'recordId').map((id) => ({
    module: input.module,
    id,
  }));
  const stop = ctx.finishOnClose();
  const result = await crm.addNotes(
    ctx.conn,
    parents,
    note as crm.NoteText,
    writeOptions(ctx, stop),
  );
  sendWriteResult(ctx, result, stop, 'written');
};

const updateNotes: Run = async (_RED, ctx) => {
  const stop = ctx.finishOnClose();
  const notes = ctx.msg.payload as Parameters<typeof crm.updateNotes>[1];
  const result = await crm.updateNotes(ctx.conn, notes, writeOptions(ctx, stop));
  sendWriteResult(ctx, result, stop, 'written');
};

const deleteNotes: Run = async (_RED, ctx, _def, input) => {
  const stop = ctx.finishOnClose();
  const result = await crm.deleteNotes(ctx.conn, targetIds(ctx, input), writeOptions(ctx, stop));
  sendWriteResult(ctx, result, stop, 'deleted');
};

async function changeTags(
  ctx: InputContext,
  def: CrmRecordDef,
  input: CrmRecordInput,
  add: boolean,
): Promise<void> {
  const tags = await ctx.prop('tags', { value: def.tags, type: def.tagsType });
  if (tags === undefined) throw invalidInput(ctx.t('errors.noTags'), 'tags');
  const ids = targetIds(ctx, input);
  const overWrite =
    ctx.msg.overWrite !== undefined ? flag(ctx.msg.overWrite) : def.overWrite === true;
  const stop = ctx.finishOnClose();
  const options = writeOptions(ctx, stop);
  const result = add
    ? await crm.addTags(ctx.conn, input.module, ids, tags as string, { ...options, overWrite })
    : await crm.removeTags(ctx.conn, input.module, ids, tags as string, options);
  sendWriteResult(ctx, result, stop, 'written');
}

const listTags: Run = async (_RED, ctx, _def, input) => {
  const tags = await crm.listTags(ctx.conn, input.module, { signal: ctx.signal });
  ctx.msg.payload = tags;
  ctx.send(ctx.msg);
  ctx.status.done(ctx.t('status.tags', { count: tags.length }));
};

/** The runs of this file by operation. */
export const RELATED_RUNS: Record<string, Run> = {
  listRelated,
  linkRelated,
  unlinkRelated,
  listNotes,
  addNote,
  updateNotes,
  deleteNotes,
  addTags: (_RED, ctx, def, input) => changeTags(ctx, def, input, true),
  removeTags: (_RED, ctx, def, input) => changeTags(ctx, def, input, false),
  listTags,
};
