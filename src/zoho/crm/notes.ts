/**
 * Zoho CRM notes (API v8, notes.json): a record's notes (its related list "Notes"), and notes
 * added, updated and deleted through /Notes, 100 a call, so one note for many parents is one call
 * per 100 parents (each note names its parent in `Parent_Id: { module: { api_name }, id }`).
 */
import { invalidInput } from '../core/errors';
import type { Page } from '../core/paginate';
import { checkRecordId, isPlainObject } from '../core/validate';
import { CrmRecord, ListResult, Requester, WalkOptions } from './common';
import { RelatedListOptions, listAllRelatedRecords, listRelatedRecords } from './related';
import { checkModule } from './validate';
import { WriteOptions, WriteResult, createRecords, deleteRecords, updateRecords } from './write';

export const NOTES_MODULE = 'Notes';
/** Note_Title and Note_Content lengths (the sandbox's Notes fields; unverified for Zoho). */
export const NOTE_TITLE_MAX = 120;
export const NOTE_CONTENT_MAX = 32_000;

/** The note: content (required) and an optional title. */
export interface NoteText {
  title?: string;
  content: string;
}

/** A parent record: `{ module, id }`. */
export interface NoteParent {
  module: string;
  id: string;
}

export type NoteWriteOptions = Omit<WriteOptions, 'fieldMeta'>;

function noteFields(note: unknown, param: string, index?: number): Record<string, unknown> {
  const at = index === undefined ? '' : ` (note ${index})`;
  if (!isPlainObject(note)) throw invalidInput(`A note is { title, content }${at}`, param);
  const { title, content } = note;
  if (typeof content !== 'string' || content.trim() === '' || content.length > NOTE_CONTENT_MAX)
    throw invalidInput(`The note needs content, 1 to ${NOTE_CONTENT_MAX} characters${at}`, param);
  if (title !== undefined && title !== '' && title !== null) {
    if (typeof title !== 'string' || title.length > NOTE_TITLE_MAX)
      throw invalidInput(
        `A note title is text of at most ${NOTE_TITLE_MAX} characters${at}`,
        param,
      );
    return { Note_Title: title, Note_Content: content };
  }
  return { Note_Content: content };
}

function checkParents(parents: unknown): NoteParent[] {
  const list: unknown[] = Array.isArray(parents) ? parents : [parents];
  if (list.length === 0) throw invalidInput('No parent records given', 'parents');
  return list.map((p, i) => {
    if (!isPlainObject(p)) throw invalidInput(`Parent ${i} must be { module, id }`, 'parents');
    return {
      module: checkModule(p.module, 'parents'),
      id: checkRecordId(p.id, 'parents', `parent record id (${i})`),
    };
  });
}

/** One page of a record's notes. */
export async function listNotes(
  conn: Requester,
  parent: NoteParent,
  options: RelatedListOptions = {},
): Promise<ListResult> {
  return listRelatedRecords(
    conn,
    { module: parent.module, recordId: parent.id, relatedList: NOTES_MODULE },
    options,
  );
}

/** Every page of a record's notes. */
export function listAllNotes(
  conn: Requester,
  parent: NoteParent,
  options: Omit<RelatedListOptions, 'page'> & WalkOptions = {},
): AsyncGenerator<Page<CrmRecord>, void, undefined> {
  return listAllRelatedRecords(
    conn,
    { module: parent.module, recordId: parent.id, relatedList: NOTES_MODULE },
    options,
  );
}

/** The same note on every parent given (100 parents a call); results in parent order. */
export async function addNotes(
  conn: Requester,
  parents: NoteParent | readonly NoteParent[],
  note: NoteText,
  options: NoteWriteOptions = {},
): Promise<WriteResult> {
  const fields = noteFields(note, 'note');
  const records = checkParents(parents).map((p) => ({
    ...fields,
    Parent_Id: { module: { api_name: p.module }, id: p.id },
  }));
  return createRecords(conn, NOTES_MODULE, records, options);
}

/** Updates notes: each `{ id, title?, content }`. */
export async function updateNotes(
  conn: Requester,
  notes: readonly (NoteText & { id: string })[] | (NoteText & { id: string }),
  options: NoteWriteOptions = {},
): Promise<WriteResult> {
  const list: unknown[] = Array.isArray(notes) ? notes : [notes];
  if (list.length === 0) throw invalidInput('No notes given', 'notes');
  const records = list.map((n, i) => ({
    id: checkRecordId(isPlainObject(n) ? n.id : undefined, 'notes', `note id (${i})`),
    ...noteFields(n, 'notes', i),
  }));
  return updateRecords(conn, NOTES_MODULE, records, options);
}

/** Deletes notes by id (100 a call). */
export async function deleteNotes(
  conn: Requester,
  ids: string | readonly string[],
  options: Omit<NoteWriteOptions, 'trigger'> = {},
): Promise<WriteResult> {
  return deleteRecords(conn, NOTES_MODULE, ids, options);
}
