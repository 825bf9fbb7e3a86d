import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import { malformed } from './errors.js';
import { contentEncodingOf, decompressionError, tooLarge } from './decode.js';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/**
 * Reads a request body up to `maxBytes`. A `Content-Length` over the limit is refused before any
 * byte is read; a body that grows past it (chunked) is refused as soon as it does: the reader stops
 * there and rejects with 413, and the caller answers and closes the connection, so a 100 MB body
 * never sits in memory.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer): void => {
      length += chunk.byteLength;
      if (length > maxBytes) {
        cleanup();
        req.pause();
        chunks.length = 0;
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(malformed(`The request body could not be read: ${error.message}`));
    };
    const onAborted = (): void => {
      cleanup();
      reject(malformed('The client closed the connection before the body was complete'));
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onClose = (): void => {
      if (!req.complete) onAborted();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * Decompresses a body off the event loop (zlib's thread pool), refusing output over `maxBytes` so a
 * small gzip bomb cannot expand into gigabytes: the limit applies to what the body decodes to.
 */
export async function decompressBody(body: Buffer, contentEncoding: string | undefined, maxBytes: number): Promise<Buffer> {
  const encoding = contentEncodingOf(contentEncoding);
  if (encoding === 'identity') return body;
  try {
    return encoding === 'gzip' ? await gunzipAsync(body, { maxOutputLength: maxBytes }) : await inflateAsync(body, { maxOutputLength: maxBytes });
  } catch (error) {
    throw decompressionError(error, encoding, maxBytes);
  }
}
