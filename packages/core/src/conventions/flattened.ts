import type { Attributes } from '@opentelemetry/api';

/** Segments that would reach an object's prototype: never used as keys. */
const UNSAFE_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

type Tree = { [key: string]: Tree | unknown };

/**
 * Rebuilds a list that a convention flattened into attributes, because OTel attributes cannot
 * hold nested values: `prefix.0.role`, `prefix.0.tool_calls.1.name` → `[{ role, tool_calls: [ , { name }] }]`.
 * Only keys whose first segment after the prefix is an index count; undefined when there are none.
 */
export function unflattenList(attributes: Attributes, prefix: string): unknown[] | undefined {
  const root: Tree = {};
  let found = false;
  const head = `${prefix}.`;
  for (const [key, value] of Object.entries(attributes)) {
    if (!key.startsWith(head) || value === undefined) continue;
    const path = key.slice(head.length).split('.');
    if (!/^\d+$/.test(path[0] ?? '') || path.some((segment) => segment === '' || UNSAFE_SEGMENTS.has(segment))) continue;
    found = true;
    let node = root;
    path.forEach((segment, i) => {
      if (i === path.length - 1) {
        node[segment] = value;
        return;
      }
      const next = node[segment];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) node[segment] = {};
      node = node[segment] as Tree;
    });
  }
  if (!found) return undefined;
  const list = asArrays(root);
  return Array.isArray(list) ? list : undefined;
}

/** Objects whose keys are all indexes become arrays (in index order, gaps dropped). */
function asArrays(node: unknown): unknown {
  if (typeof node !== 'object' || node === null) return node;
  const entries = Object.entries(node as Tree);
  if (entries.length > 0 && entries.every(([key]) => /^\d+$/.test(key))) {
    return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, value]) => asArrays(value));
  }
  return Object.fromEntries(entries.map(([key, value]) => [key, asArrays(value)]));
}

/**
 * Replaces every object whose only key is one of `wrappers` by that key's value, at any depth:
 * OpenInference nests each message as `{ message: { role, ... } }` and each tool call as
 * `{ tool_call: { ... } }`, which says nothing a reader needs.
 */
export function unwrap(node: unknown, wrappers: readonly string[]): unknown {
  if (Array.isArray(node)) return node.map((item) => unwrap(item, wrappers));
  if (typeof node !== 'object' || node === null) return node;
  const entries = Object.entries(node);
  if (entries.length === 1 && wrappers.includes(entries[0]![0])) return unwrap(entries[0]![1], wrappers);
  return Object.fromEntries(entries.map(([key, value]) => [key, unwrap(value, wrappers)]));
}
