/**
 * `mask` and `flat`: which parts of an entity are returned, and whether
 * composite fields come out as dotted keys (`{"opts.title": ""}`).
 */
import type { Projection } from '../collections/model.js';
import type { Entity } from '../entity/rows.js';

/** Keeps the projected parts of `entity`, in the entity's own order. */
export function project(entity: Entity, projection: Projection): Entity {
  const result: Entity = {};
  for (const [name, value] of Object.entries(entity)) {
    const wanted = projection.get(name);
    if (wanted === undefined) continue;
    if (wanted === true || typeof value !== 'object' || value === null) {
      result[name] = value;
      continue;
    }
    const kept = Object.fromEntries(Object.entries(value).filter(([key]) => wanted.has(key)));
    if (Object.keys(kept).length > 0) result[name] = kept;
  }
  return result;
}

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
