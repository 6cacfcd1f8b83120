import { createHash } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { assertStorageKey, assertTtl, attachmentDisposition, StorageTooLargeError, type ObjectStorage } from './storage.js';

export interface S3StorageOptions {
  /** For S3-compatible services (MinIO, R2, a test server); AWS itself when absent. */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle?: boolean;
}

function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return err?.name === 'NoSuchKey' || err?.name === 'NotFound' || err?.$metadata?.httpStatusCode === 404;
}

export function createS3Storage(options: S3StorageOptions): ObjectStorage {
  const { bucket } = options;
  const client = new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle ?? false,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    // By default the SDK adds a CRC32 of the (empty) body to presigned PUTs, which then refuse any real upload;
    // checksums only where the API demands them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

  const store: ObjectStorage = {
    kind: 's3',

    async put(key, body, { contentType }) {
      assertStorageKey(key);
      const sha256 = createHash('sha256').update(body).digest('hex');
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType, ContentLength: body.byteLength }));
      return { size: body.byteLength, sha256 };
    },

    async putStream(key, body, { contentType, maxBytes }) {
      assertStorageKey(key);
      // Collected, then one PutObject: a body of unknown length would need a multipart upload, and the API's own
      // upload route is only used with the local store (S3 uploads go straight to the bucket, presigned).
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of body) {
        size += chunk.byteLength;
        if (size > maxBytes) throw new StorageTooLargeError(maxBytes);
        chunks.push(chunk);
      }
      return store.put(key, Buffer.concat(chunks), { contentType });
    },

    async get(key) {
      assertStorageKey(key);
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (!out.Body) return Buffer.alloc(0);
        return Buffer.from(await out.Body.transformToByteArray());
      } catch (e) {
        if (isNotFound(e)) return null;
        throw e;
      }
    },

    async head(key) {
      assertStorageKey(key);
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { size: out.ContentLength ?? 0, contentType: out.ContentType ?? 'application/octet-stream' };
      } catch (e) {
        if (isNotFound(e)) return null;
        throw e;
      }
    },

    async delete(key) {
      assertStorageKey(key);
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },

    async presignPut(key, { contentType, ttlSeconds }) {
      assertStorageKey(key);
      assertTtl(ttlSeconds);
      // Content-Type is signed: the uploader must send the type the API agreed to, not one of its choosing.
      return getSignedUrl(client, new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType }), {
        expiresIn: ttlSeconds,
        signableHeaders: new Set(['content-type']),
      });
    },

    async presignGet(key, { ttlSeconds, filename, contentType }) {
      assertStorageKey(key);
      assertTtl(ttlSeconds);
      // The response headers are part of the signature: the link serves this name and type, nothing a client picks.
      return getSignedUrl(
        client,
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ResponseContentDisposition: attachmentDisposition(filename),
          ResponseContentType: contentType,
          ResponseCacheControl: `private, max-age=${ttlSeconds}`,
        }),
        { expiresIn: ttlSeconds },
      );
    },

    async close() {
      client.destroy();
    },
  };
  return store;
}
