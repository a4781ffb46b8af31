/**
 * Form fields drawn from a JSON Schema of the service (a collection's create
 * or patch schema, the calendar's patch schema), the texts the inputs hold,
 * and the body a submit sends. The service stays the judge of values: the
 * form converts what it can (numbers, booleans, JSON) and sends the rest as
 * typed, so every refusal comes back as an `error_details` entry for its field.
 */
import type { FieldError } from './api.js';
import type { JsonSchema } from './api-description.js';

export type FieldKind = 'text' | 'integer' | 'boolean' | 'enum' | 'json' | 'reference';

export interface FormField {
  /** Dotted path in the body: `priority`, `opts.title`, `week.1`. */
  key: string;
  kind: FieldKind;
  schema: JsonSchema;
  required: boolean;
  nullable: boolean;
  /** For enum fields: the allowed values. */
  options?: unknown[];
  /** For reference fields: the collection named. */
  references?: string;
}

const typesOf = (schema: JsonSchema) => (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []);
const baseType = (schema: JsonSchema) => typesOf(schema).find((type) => type !== 'null');

function fieldKind(schema: JsonSchema, references: string | undefined): FieldKind {
  if (schema.enum) return 'enum';
  if (references) return 'reference';
  switch (baseType(schema)) {
    case 'integer':
    case 'number':
      return 'integer';
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'text';
    default:
      return 'json';
  }
}

/** Every field a person may set: read-only ones (id, token_local, ext.ct) are shown, not edited. */
export function formFields(schema: JsonSchema, references: Record<string, string> = {}, prefix = ''): FormField[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).flatMap(([name, field]): FormField[] => {
    if (field.readOnly) return [];
    const key = `${prefix}${name}`;
    // A closed object with declared keys (opts, the calendar's week) opens into one input per key.
    if (baseType(field) === 'object' && field.properties && field.additionalProperties === false && prefix === '') return formFields(field, references, `${key}.`);
    return [{ key, kind: fieldKind(field, references[key]), schema: field, required: required.has(name), nullable: typesOf(field).includes('null'), options: field.enum, references: references[key] }];
  });
}

export function valueAt(object: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((value, part) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined), object);
}

function withoutReadOnly(schema: JsonSchema, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !schema.properties?.[key]?.readOnly));
}

/** What an input shows for a value: enum options and JSON as JSON, the rest as text. */
export function textOf(field: FormField, value: unknown): string {
  if (field.kind === 'json') return JSON.stringify(withoutReadOnly(field.schema, value ?? field.schema.default ?? (baseType(field.schema) === 'array' ? [] : {})));
  if (field.kind === 'enum') return value === undefined ? '' : JSON.stringify(value);
  if (value === undefined || value === null) return '';
  return String(value);
}

/** The texts of a form: an entity's values, or for a new one the declared defaults. */
export function initialTexts(fields: FormField[], entity?: unknown): Record<string, string> {
  return Object.fromEntries(fields.map((field) => [field.key, textOf(field, entity === undefined ? field.schema.default : valueAt(entity, field.key))]));
}

type Parsed = { value: unknown } | { error: string } | { omit: true };

function parseText(field: FormField, text: string): Parsed {
  switch (field.kind) {
    case 'json':
      try {
        return { value: JSON.parse(text) };
      } catch {
        return { error: 'is not valid JSON' };
      }
    case 'enum':
      return text === '' ? { omit: true } : { value: JSON.parse(text) };
    case 'boolean':
      if (text === '') return field.nullable ? { value: null } : { omit: true };
      return { value: text === 'true' };
    case 'integer': {
      if (text.trim() === '') return field.nullable ? { value: null } : { omit: true };
      // Anything else goes as typed: the service names what is wrong with it.
      return { value: /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text };
    }
    default:
      return { value: text };
  }
}

function setAt(body: Record<string, unknown>, key: string, value: unknown): void {
  const [top, rest] = key.split(/\.(.*)/s, 2);
  if (rest === undefined || rest === '') body[top] = value;
  else setAt((body[top] ??= {}) as Record<string, unknown>, rest, value);
}

/** ext-like JSON objects merge on PATCH: a key that was removed is sent as null. */
function mergePatch(before: unknown, after: unknown): unknown {
  if (!before || !after || typeof before !== 'object' || typeof after !== 'object' || Array.isArray(before) || Array.isArray(after)) return after;
  const patch: Record<string, unknown> = { ...(after as Record<string, unknown>) };
  for (const key of Object.keys(before)) if (!(key in patch)) patch[key] = null;
  return patch;
}

/**
 * The body to send: on create every field that was filled in or changed
 * from its default, and the required ones; on edit only what changed.
 */
export function formBody(fields: FormField[], texts: Record<string, string>, initial: Record<string, string>, mode: 'create' | 'edit'): { body: Record<string, unknown>; errors: FieldError[] } {
  const body: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const field of fields) {
    const text = texts[field.key] ?? '';
    const changed = text !== initial[field.key];
    if (!changed && !(mode === 'create' && field.required)) continue;
    if (mode === 'create' && !changed && text === '') continue;
    const parsed = parseText(field, text);
    if ('error' in parsed) errors.push({ field: field.key, message: parsed.error });
    else if ('value' in parsed) setAt(body, field.key, mode === 'edit' && field.kind === 'json' && field.schema.additionalProperties === true ? mergePatch(JSON.parse(initial[field.key]), parsed.value) : parsed.value);
  }
  return { body, errors };
}

/** The form field an error of the service is about: the longest field key the error's field starts with. */
export function fieldOfError(fields: FormField[], error: FieldError): string | undefined {
  const matching = fields.filter((field) => error.field === field.key || error.field.startsWith(`${field.key}.`));
  return matching.sort((a, b) => b.key.length - a.key.length)[0]?.key;
}

/** A label for a value an enum offers: the empty string is not nothing. */
export function optionLabel(value: unknown): string {
  return value === '' ? '(empty)' : String(value);
}
