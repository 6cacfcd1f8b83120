import { z } from 'zod';
import { defineBusinessEvent } from '../../platform/outbox.js';

const base = z.object({ occasionId: z.uuid(), assetId: z.uuid() });

export const assetUploaded = defineBusinessEvent({
  type: 'asset.uploaded',
  description: 'A file was uploaded to the occasion and checked (type sniffed, metadata stripped): it is ready.',
  payload: base.extend({ contentType: z.string(), byteSize: z.number().int().nonnegative() }),
  requiredAction: 'asset:read',
});
export const assetDeleted = defineBusinessEvent({
  type: 'asset.deleted',
  description: 'A file was deleted from the occasion.',
  payload: base,
  requiredAction: 'asset:read',
});

export const ASSET_BUSINESS_EVENTS = [assetUploaded, assetDeleted];
