import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { must } from '../../support/factories.js';
import { startServer } from '../../support/harness.js';
import { startS3 } from '../../support/assets.js';
import { pdfBoxes, pdfPageCount, pdfScratch, readQrOnPage } from '../../support/pdf-tools.js';
import { createPackage, invitedWorld, PUBLISH, renderNow, startRenderer, VERSION } from './publishing-support.js';

/**
 * The same package on S3-compatible storage (s3rver on 127.0.0.1): the
 * render job puts the PDF in the bucket, and the file's URL is a presigned
 * S3 GET that serves exactly the stored bytes, with its print boxes and a
 * readable QR code per household.
 */

const s3 = await startS3();
const s = await startServer(s3.config, { ownDatabase: true });
const renderer = startRenderer(s);

describe('publishing on S3 storage', () => {
  it('renders into the bucket, publishes, and the presigned URL serves the print-ready PDF', async () => {
    expect(s.app.storage.kind).toBe('s3');
    const w = await invitedWorld(s, [2, 1]);
    const artifactId = await createPackage(s, w, { printSpec: { trimWidthMm: 127, trimHeightMm: 177.8, bleedMm: 3 } });
    const versionId = await renderNow(s, w, artifactId, renderer);
    await must(s, w.owner.token, PUBLISH, { i: { versionId } });
    const v = (await must(s, w.owner.token, VERSION.replace('sha256 }', 'sha256 url }'), { id: versionId })).artifactVersion;
    expect(v).toMatchObject({ status: 'PUBLISHED', pagesTotal: 2 });
    const url = new URL(v.files[0].url);
    expect(url.origin).toBe(s3.endpoint);
    expect(url.searchParams.get('X-Amz-Signature')).toBeTruthy();
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(createHash('sha256').update(pdf).digest('hex')).toBe(v.files[0].sha256);
    const scratch = pdfScratch();
    const file = scratch.write('package.pdf', pdf);
    expect(pdfPageCount(file)).toBe(2);
    // 5×7 in trim with 3 mm bleed: TrimBox 360 × 504 pt inside an 8 mm slug and the bleed.
    const [page] = pdfBoxes(file, 1);
    const trim = page!.TrimBox.map(Number);
    expect(trim[2]! - trim[0]!).toBeCloseTo(360, 0);
    expect(trim[3]! - trim[1]!).toBeCloseTo(504, 0);
    for (const p of [1, 2]) expect(await readQrOnPage(file, p)).toMatch(/\/r\/tovp_[0-9A-Z]{20}$/);
    scratch.remove();
  }, 90_000);
});
