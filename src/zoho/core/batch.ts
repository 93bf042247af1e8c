/**
 * Writes of many records: split into chunks of Zoho's per-call maximum (100), run each chunk
 * through the caller's function in order (one at a time, or a few at once), and join the
 * per-item results back in input order.
 */
import { LocalCodes, ZohoError, invalidInput } from './errors';

/** Zoho CRM accepts at most 100 records per insert/update/upsert/delete call. */
export const BATCH_SIZE = 100;

export function chunk<T>(items: readonly T[], size = BATCH_SIZE): T[][] {
  if (!Number.isInteger(size) || size < 1)
    throw invalidInput('The batch size must be a whole number of at least 1', 'batchSize');
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

export interface ChunkInfo {
  /** 0-based number of the chunk. */
  index: number;
  /** Position of the chunk's first item in the input. */
  offset: number;
  /** Number of chunks in the whole run. */
  count: number;
}

export interface BatchOptions<T, R> {
  /** Items per chunk; default 100. */
  size?: number;
  /** Chunks in flight at once; default 1 (strictly in order). */
  concurrency?: number;
  /** Cancels the run: chunks not started are not sent, and the caller's calls see it. */
  signal?: AbortSignal;
  /**
   * Stops the run gently: once aborted no new chunk starts (each gets NOT_SENT), while the chunks
   * already in flight finish. A closing node uses it so a write ends with a known outcome.
   */
  stop?: AbortSignal;
  /**
   * Turns a failed chunk into one result per item instead of failing the run. Without it the
   * first failure rejects the run (chunks already in flight finish first).
   */
  onChunkError?: (error: unknown, items: T[], info: ChunkInfo) => R[];
  /**
   * With `onChunkError`: after a failure, keep sending the later chunks (true), or give them
   * `onChunkError` with a NOT_SENT error instead of sending them (false, the default).
   */
  continueAfterError?: boolean;
  /** Called after each chunk settles, with the number of chunks done so far. */
  onProgress?: (done: number, count: number) => void;
}

/** Code of the error given for chunks not sent because an earlier one failed. */
export const NOT_SENT = 'NOT_SENT';

/** The result a chunk gets when it is not sent because the write was cancelled or failed. */
function notSent(cause: unknown, aborted: boolean): ZohoError {
  return new ZohoError({
    code: NOT_SENT,
    message: `Not sent: ${aborted ? 'the write was cancelled' : 'an earlier batch of this write failed'}`,
    details: { cause: cause instanceof ZohoError ? cause.toJSON() : String(cause) },
  });
}

/** Runs `run` over the chunks of `items` and returns the results in input order. */
export async function runBatches<T, R>(
  items: readonly T[],
  run: (items: T[], info: ChunkInfo) => Promise<R[]>,
  options: BatchOptions<T, R> = {},
): Promise<R[]> {
  const chunks = chunk(items, options.size ?? BATCH_SIZE);
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw invalidInput('The batch concurrency must be a whole number of at least 1', 'concurrency');
  }
  const size = options.size ?? BATCH_SIZE;
  const results = new Array<R[]>(chunks.length);
  let next = 0;
  let done = 0;
  let failure: { error: unknown } | undefined;

  const settle = (index: number, value: R[]): void => {
    const expected = chunks[index].length;
    if (!Array.isArray(value) || value.length !== expected) {
      throw new ZohoError({
        code: 'BATCH_RESULT_MISMATCH',
        message: `Zoho answered ${Array.isArray(value) ? value.length : 'no'} results for a chunk of ${expected} records`,
      });
    }
    results[index] = value;
  };

  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const index = next++;
      const info: ChunkInfo = { index, offset: index * size, count: chunks.length };
      const chunkItems = chunks[index];
      const aborted = options.signal?.aborted === true || options.stop?.aborted === true;
      if (aborted && !failure) {
        failure = {
          error: new ZohoError({ code: LocalCodes.ABORTED, message: 'The request was cancelled.' }),
        };
      }
      if (failure && (aborted || !options.continueAfterError)) {
        if (!options.onChunkError) return;
        settle(index, options.onChunkError(notSent(failure.error, aborted), chunkItems, info));
      } else {
        try {
          settle(index, await run(chunkItems, info));
        } catch (error) {
          failure ??= { error };
          if (!options.onChunkError) return;
          settle(index, options.onChunkError(error, chunkItems, info));
        }
      }
      done++;
      options.onProgress?.(done, chunks.length);
    }
  };

  await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
  if (failure && !options.onChunkError) throw failure.error;
  return results.flat();
}
