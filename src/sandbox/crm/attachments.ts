/**
 * /crm/v8/{module}/{record_id}/Attachments: upload (multipart `file`, or `attachmentUrl` for a
 * link), list (`fields` required), download with Content-Disposition, delete.
 */
import type { SandboxReply, SandboxRequest } from '../types';
import { isReply, type CrmContext } from './context';
import { pageReply } from './page-reply';
import { paging } from './records';
import { minified } from './store';
import type { Attachment, ModuleDef, StoredRecord } from './types';
import { error, isObject, isZohoId, noContent, paramMissing, splitList } from './util';

/** Zoho refuses attachments over 20 MB. */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;

const ATTACHMENT_FIELDS = [
  'Owner',
  'Modified_By',
  'Created_By',
  'Parent_Id',
  '$sharing_permission',
  '$attachment_type',
  'id',
  'Modified_Time',
  'Created_Time',
  'File_Name',
  'Size',
  '$editable',
  '$file_id',
  '$type',
  '$se_module',
  '$state',
  '$link_url',
];

/** The record `/{module}/{record_id}/…` names, or Zoho's answer for a wrong module or id. */
export function parentRecord(
  c: CrmContext,
  req: SandboxRequest,
): { def: ModuleDef; rec: StoredRecord } | SandboxReply {
  const def = c.module(req);
  if (isReply(def)) return def;
  const id = req.params.record_id ?? '';
  const rec = isZohoId(id) ? c.store.get(def.api_name, id) : undefined;
  if (!rec) {
    return error(400, 'INVALID_DATA', 'the related id given seems to be invalid', {
      related_status: 'invalid',
      resource_path_index: 1,
    });
  }
  return { def, rec };
}

function describe(c: CrmContext, a: Attachment, rec: StoredRecord): Record<string, unknown> {
  const stamp = c.store.formatTime(a.created);
  return {
    Owner: a.owner,
    Modified_By: a.owner,
    Created_By: a.owner,
    Parent_Id: { id: rec.id, name: c.store.displayName(rec) },
    $sharing_permission: 'full_access',
    $attachment_type: a.linkUrl ? 3 : 1,
    id: a.id,
    Modified_Time: stamp,
    Created_Time: stamp,
    File_Name: a.fileName,
    Size: String(a.data.length),
    $editable: true,
    $file_id: a.fileId,
    $type: a.linkUrl ? 'Link URL' : 'Attachment',
    $se_module: a.module,
    $state: 'save',
    $link_url: a.linkUrl,
  };
}

export function uploadAttachment(c: CrmContext, req: SandboxRequest): SandboxReply {
  const p = parentRecord(c, req);
  if (isReply(p)) return p;
  const file = req.files?.find((f) => f.name === 'file');
  const form = isObject(req.body) ? req.body : {};
  const link =
    req.query.get('attachmentUrl') ??
    (typeof form.attachmentUrl === 'string' ? form.attachmentUrl : null);
  if (!file && !link) return paramMissing('file');
  if (file && file.data.length > MAX_ATTACHMENT_BYTES) {
    // OAS attachments.json lists only INVALID_DATA for such a refusal (`error`); the text is
    // the one Zoho's uploadFile page gives ("File size should not exceed 20 MB").
    return error(400, 'INVALID_DATA', 'File size should not exceed 20 MB', {
      limit: MAX_ATTACHMENT_BYTES,
    });
  }
  const title = req.query.get('title') ?? (typeof form.title === 'string' ? form.title : undefined);
  const att = c.store.addAttachment({
    module: p.def.api_name,
    recordId: p.rec.id,
    fileName: file?.filename ?? title ?? link ?? 'attachment',
    contentType: file?.contentType ?? 'application/octet-stream',
    data: file ? Buffer.from(file.data) : Buffer.alloc(0),
    linkUrl: file ? null : link,
    owner: minified(c.store.currentUser),
  });
  const by = minified(c.store.currentUser);
  const stamp = c.store.formatTime(att.created);
  return {
    status: 200,
    body: {
      data: [
        {
          code: 'SUCCESS',
          details: {
            Modified_Time: stamp,
            Modified_By: by,
            Created_Time: stamp,
            id: att.id,
            Created_By: by,
          },
          message: 'attachment uploaded successfully',
          status: 'success',
        },
      ],
    },
  };
}

export function listAttachments(c: CrmContext, req: SandboxRequest): SandboxReply {
  const p = parentRecord(c, req);
  if (isReply(p)) return p;
  const raw = req.query.get('fields');
  if (raw === null || raw.trim() === '') return paramMissing('fields');
  const fields = splitList(raw);
  const bad = fields.find((f) => !ATTACHMENT_FIELDS.includes(f));
  if (bad !== undefined) {
    return error(400, 'INVALID_DATA', 'invalid data', {
      api_name: bad,
      param: 'fields',
      param_name: 'fields',
    });
  }
  const pg = paging(req);
  if (isReply(pg)) return pg;
  let all = c.store.attachmentsOf(p.rec.id);
  const ids = req.query.get('ids');
  if (ids !== null) {
    const wanted = new Set(splitList(ids));
    all = all.filter((a) => wanted.has(a.id));
  }
  return pageReply(all, pg, (a) => {
    const full = describe(c, a, p.rec);
    const out: Record<string, unknown> = {};
    for (const f of fields) out[f] = full[f];
    out.id = a.id;
    return out;
  });
}

export function disposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return ascii === name
    ? `attachment; filename="${ascii}"`
    : `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export function downloadAttachment(c: CrmContext, req: SandboxRequest): SandboxReply {
  const p = parentRecord(c, req);
  if (isReply(p)) return p;
  const att = c.store.attachmentsOf(p.rec.id).find((a) => a.id === req.params.id);
  if (!att) return noContent();
  if (att.linkUrl) {
    return error(400, 'INVALID_DATA', 'invalid data', {
      reason: 'a link attachment has no file',
      id: att.id,
    });
  }
  return {
    status: 200,
    body: att.data,
    contentType: att.contentType,
    headers: { 'Content-Disposition': disposition(att.fileName) },
  };
}

const deleted = (id: string) => ({
  code: 'SUCCESS',
  details: { id },
  message: 'record deleted',
  status: 'success',
});

const invalidAttachment = (id: string): SandboxReply =>
  error(400, 'INVALID_DATA', 'the id given seems to be invalid', {
    id,
    resource_path_index: 3,
  });

export function deleteAttachment(c: CrmContext, req: SandboxRequest): SandboxReply {
  const p = parentRecord(c, req);
  if (isReply(p)) return p;
  const id = req.params.id ?? '';
  if (!c.store.removeAttachment(p.rec.id, id)) return invalidAttachment(id);
  return { status: 200, body: { data: [deleted(id)] } };
}

/**
 * DELETE /{module}/{record_id}/Attachments?ids=a,b: attachments.json (v8) gives `ids` as required
 * and answers 200 with one SUCCESS per id, or 400. What Zoho does when some ids are unknown is
 * unverified: the emulator deletes nothing and answers INVALID_DATA naming the first one.
 */
export function deleteAttachments(c: CrmContext, req: SandboxRequest): SandboxReply {
  const p = parentRecord(c, req);
  if (isReply(p)) return p;
  const ids = [...new Set(splitList(req.query.get('ids')))];
  if (ids.length === 0) return paramMissing('ids');
  const held = new Set(c.store.attachmentsOf(p.rec.id).map((a) => a.id));
  const unknown = ids.find((id) => !held.has(id));
  if (unknown !== undefined) return invalidAttachment(unknown);
  for (const id of ids) c.store.removeAttachment(p.rec.id, id);
  return { status: 200, body: { data: ids.map(deleted) } };
}
