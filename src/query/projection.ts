/**
 * `mask` and `flat`: which parts of an entity are returned, and whether
 * composite fields come out as dotted keys (`{"opts.title": ""}`).
 */
import type { Projection } from '../collections/model.js';
import type { Entity } from '../entity/rows.js';

/**
 * Keeps the projected parts of `entity`, in the entity's own order. Runs for
 * every entity of every list page, so it builds no intermediate arrays.
 */
export function project(entity: Entity, projection: Projection): Entity {
  const result: Entity = {};
  for (const name in entity) {
    const wanted = projection.get(name);
    if (wanted === undefined) continue;
    const value = entity[name];
    if (wanted === true || typeof value !== 'object' || value === null) {
      result[name] = value;
      continue;
    }
    let kept: Record<string, unknown> | undefined;
    for (const key in value) if (wanted.has(key)) (kept ??= {})[key] = (value as Record<string, unknown>)[key];
    if (kept) result[name] = kept;
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
