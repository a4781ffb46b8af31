/**
 * A create or edit form drawn from a schema (schema-form.ts): one labelled
 * input per field, each refusal of the service shown next to its field.
 */
import { useMemo, useState } from 'preact/hooks';
import { ApiError, describeFailure, type FieldError } from '../api.js';
import { fieldOfError, formBody, formFields, initialTexts, optionLabel, type FormField } from '../schema-form.js';
import type { JsonSchema } from '../api-description.js';

export interface ReferenceOption {
  id: string;
  label: string;
}

interface Props {
  /** Names the form and its inputs' ids: unique on the page. */
  id: string;
  title: string;
  schema: JsonSchema;
  /** Fields naming an entity of another collection (x-references of the API description). */
  references?: Record<string, string>;
  mode: 'create' | 'edit';
  entity?: unknown;
  readOnly: boolean;
  /** The choices of each reference field, by the collection it names. */
  referenceOptions?: Record<string, ReferenceOption[]>;
  onSubmit: (body: Record<string, unknown>) => Promise<void>;
  onCancel?: () => void;
  submitLabel: string;
}

function Input({ field, id, text, readOnly, describedBy, invalid, options, onInput }: { field: FormField; id: string; text: string; readOnly: boolean; describedBy: string; invalid: boolean; options?: ReferenceOption[]; onInput: (text: string) => void }) {
  const common = { id, name: field.key, disabled: readOnly, 'aria-describedby': describedBy, 'aria-invalid': invalid ? ('true' as const) : undefined, 'aria-required': field.required ? ('true' as const) : undefined };
  const change = (event: Event) => onInput((event.currentTarget as HTMLInputElement).value);
  switch (field.kind) {
    case 'enum':
      return (
        <select {...common} value={text} onChange={change}>
          {!field.options?.some((option) => JSON.stringify(option) === text) && <option value={text}>{text === '' ? '(default)' : text}</option>}
          {field.options!.map((option) => (
            <option key={JSON.stringify(option)} value={JSON.stringify(option)}>
              {optionLabel(option)}
            </option>
          ))}
        </select>
      );
    case 'boolean':
      return (
        <select {...common} value={text} onChange={change}>
          <option value="">(default)</option>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      );
    case 'reference':
      return (
        <select {...common} value={text} onChange={change}>
          <option value="">(none)</option>
          {text !== '' && !options?.some((option) => option.id === text) && <option value={text}>{text}</option>}
          {(options ?? []).map((option) => (
            <option key={option.id} value={option.id}>
              {option.label}
            </option>
          ))}
        </select>
      );
    case 'json':
      return <textarea {...common} rows={Math.min(8, Math.max(2, text.length / 60))} spellcheck={false} value={text} onInput={change} />;
    default:
      return <input {...common} type="text" inputMode={field.kind === 'integer' ? 'numeric' : undefined} value={text} onInput={change} autocomplete="off" />;
  }
}

export function EntityForm({ id, title, schema, references, mode, entity, readOnly, referenceOptions, onSubmit, onCancel, submitLabel }: Props) {
  const fields = useMemo(() => formFields(schema, references), [schema, references]);
  const initial = useMemo(() => initialTexts(fields, mode === 'edit' ? entity : undefined), [fields, entity, mode]);
  const [texts, setTexts] = useState(initial);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);

  const errorsOf = (key: string) => errors.filter((error) => fieldOfError(fields, error) === key);
  const unplaced = errors.filter((error) => fieldOfError(fields, error) === undefined);

  const submit = async (event: Event) => {
    event.preventDefault();
    const { body, errors: local } = formBody(fields, texts, initial, mode);
    setErrors(local);
    setFailure(undefined);
    if (local.length > 0) return;
    setBusy(true);
    try {
      await onSubmit(body);
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) setErrors(err.details);
      setFailure(describeFailure(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="entity-form" aria-labelledby={`${id}-title`} onSubmit={submit} noValidate>
      <h3 id={`${id}-title`}>{title}</h3>
      <div class="fields">
        {fields.map((field) => {
          const inputId = `${id}-${field.key.replace(/\W/g, '-')}`;
          const fieldErrors = errorsOf(field.key);
          return (
            <div class={`field field-${field.kind}${fieldErrors.length ? ' has-error' : ''}`} key={field.key} data-field={field.key}>
              <label for={inputId}>
                {field.key}
                {field.required && <span class="required"> (required)</span>}
              </label>
              <Input
                field={field}
                id={inputId}
                text={texts[field.key] ?? ''}
                readOnly={readOnly}
                describedBy={`${inputId}-hint ${inputId}-error`}
                invalid={fieldErrors.length > 0}
                options={field.references ? referenceOptions?.[field.references] : undefined}
                onInput={(text) => setTexts((previous) => ({ ...previous, [field.key]: text }))}
              />
              <small id={`${inputId}-hint`} class="hint">
                {field.schema.description ?? ''}
                {field.kind === 'json' ? ' (JSON)' : ''}
              </small>
              <span id={`${inputId}-error`} class="field-error">
                {fieldErrors.map((error) => `${error.field === field.key ? '' : `${error.field}: `}${error.message}`).join('; ')}
              </span>
            </div>
          );
        })}
      </div>
      <div role="alert" class="form-error">
        {failure && <p>{failure}</p>}
        {unplaced.length > 0 && (
          <ul>
            {unplaced.map((error) => (
              <li key={error.field}>
                {error.field}: {error.message}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div class="actions">
        {!readOnly && (
          <button type="submit" disabled={busy}>
            {submitLabel}
          </button>
        )}
        {onCancel && (
          <button type="button" onClick={onCancel}>
            {readOnly ? 'Close' : 'Cancel'}
          </button>
        )}
      </div>
    </form>
  );
}
