/** Largest request body sent to Langfuse: under the 4.5 MB limit of its deployments, with room for headers and framing. */
export const MAX_REQUEST_BYTES = 3_500_000;

/**
 * Splits items into consecutive groups whose summed size stays under `maxBytes`. An item larger
 * than `maxBytes` on its own gets a group of its own (the caller shrinks such items first).
 */
export function splitBySize<T>(items: readonly T[], sizeOf: (item: T) => number, maxBytes: number): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && currentBytes + size > maxBytes) {
      groups.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
