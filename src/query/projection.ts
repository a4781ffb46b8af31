/**
 * `flat`: composite fields as dotted keys (`{"opts.title": ""}`). Which parts
 * are shown (`mask`) is applied while rendering rows (toEntity).
 */
import type { Entity } from '../entity/rows.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Composite values become dotted keys, recursively; arrays stay as they are. */
export function flatten(entity: Entity, prefix = '', into: Entity = {}): Entity {
  for (const [key, value] of Object.entries(entity)) {
    const name = prefix + key;
    if (isPlainObject(value)) flatten(value, `${name}.`, into);
    else into[name] = value;
  }
  return into;
}
