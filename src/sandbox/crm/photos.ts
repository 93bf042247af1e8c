/**
 * /crm/v8/{module}/{record_id}/photo: a record's one photo, uploaded (multipart `file`),
 * downloaded and deleted. Zoho's v8 "Upload a Photo" page: PNG, JPEG, JPG, GIF and BMP, at most
 * 10 MB, in Leads, Contacts, Accounts, Products, Deals, Vendors and custom modules; the answers
 * are record.json's Success_Response ("photo uploaded successfully", "Photo deleted").
 * docs/ZOHO-FACTS.md, photos, says which refusals are unverified.
 */
import type { SandboxReply, SandboxRequest } from '../types';
import { disposition, parentRecord } from './attachments';
import { isReply, type CrmContext } from './context';
import { error, noContent, paramMissing } from './util';

export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

const PHOTO_MODULES = new Set(['Leads', 'Contacts', 'Accounts', 'Products', 'Deals', 'Vendors']);

/** The image type of the bytes (PNG, JPEG, GIF, BMP signatures): Zoho looks at the image. */
function imageType(data: Uint8Array): string | undefined {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))) return 'image/png';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (b.subarray(0, 2).toString('latin1') === 'BM') return 'image/bmp';
  return undefined;
}

function photoRecord(c: CrmContext, req: SandboxRequest) {
  const p = parentRecord(c, req);
  if (isReply(p)) return p;
  if (!PHOTO_MODULES.has(p.def.api_name) && p.def.generated_type !== 'custom')
    return error(400, 'INVALID_MODULE', 'The given module is not supported in API', {
      resource_path_index: 0,
    });
  return p;
}

const success = (message: string): SandboxReply => ({
  status: 200,
  body: { code: 'SUCCESS', details: {}, message, status: 'success' },
});

export function uploadPhoto(c: CrmContext, req: SandboxRequest): SandboxReply {
  const p = photoRecord(c, req);
  if (isReply(p)) return p;
  const file = req.files?.find((f) => f.name === 'file');
  if (!file) return paramMissing('file');
  if (file.data.length > MAX_PHOTO_BYTES)
    return error(400, 'FILE_SIZE_MORE_THAN_ALLOWED_SIZE', 'The maximum allowed size is 10 MB', {
      limit: MAX_PHOTO_BYTES,
    });
  const type = imageType(file.data);
  if (!type) return error(400, 'INVALID_DATA', 'The image format is invalid.', {});
  p.rec.photo = {
    data: Buffer.from(file.data),
    contentType: type,
    fileName: file.filename ?? `photo-${p.rec.id}`,
  };
  return success('photo uploaded successfully');
}

export function downloadPhoto(c: CrmContext, req: SandboxRequest): SandboxReply {
  const p = photoRecord(c, req);
  if (isReply(p)) return p;
  const photo = p.rec.photo;
  if (!photo) return noContent();
  return {
    status: 200,
    body: photo.data,
    contentType: photo.contentType,
    headers: { 'Content-Disposition': disposition(photo.fileName) },
  };
}

export function deletePhoto(c: CrmContext, req: SandboxRequest): SandboxReply {
  const p = photoRecord(c, req);
  if (isReply(p)) return p;
  if (!p.rec.photo) return noContent();
  delete p.rec.photo;
  return success('Photo deleted');
}
