/** Rows of field, operator and value, joined by all or any (filter.ts writes them as a prefix expression). */
import { OPERATOR_LABELS, OPERATORS, type FilterTerm, type Operator } from '../filter.js';

interface Props {
  id: string;
  fields: string[];
  terms: FilterTerm[];
  join: 'and' | 'or';
  onChange: (terms: FilterTerm[], join: 'and' | 'or') => void;
}

export function FilterBuilder({ id, fields, terms, join, onChange }: Props) {
  const update = (index: number, change: Partial<FilterTerm>) => onChange(terms.map((term, i) => (i === index ? { ...term, ...change } : term)), join);
  return (
    <fieldset class="filter-builder">
      <legend>Filter</legend>
      {terms.length > 1 && (
        <div class="join">
          <label for={`${id}-join`}>Rows must</label>
          <select id={`${id}-join`} value={join} onChange={(event) => onChange(terms, event.currentTarget.value as 'and' | 'or')}>
            <option value="and">all hold</option>
            <option value="or">any hold</option>
          </select>
        </div>
      )}
      {terms.map((term, index) => (
        <div class="filter-term" key={index} role="group" aria-label={`Condition ${index + 1}`}>
          <label for={`${id}-field-${index}`}>Field</label>
          <select id={`${id}-field-${index}`} value={term.field} onChange={(event) => update(index, { field: event.currentTarget.value })}>
            {fields.map((field) => (
              <option key={field} value={field}>
                {field}
              </option>
            ))}
          </select>
          <label for={`${id}-op-${index}`}>Operator</label>
          <select id={`${id}-op-${index}`} value={term.op} onChange={(event) => update(index, { op: event.currentTarget.value as Operator })}>
            {OPERATORS.map((op) => (
              <option key={op} value={op}>
                {OPERATOR_LABELS[op]}
              </option>
            ))}
          </select>
          {term.op !== 'isnull' && (
            <>
              <label for={`${id}-value-${index}`}>Value</label>
              <input id={`${id}-value-${index}`} type="text" value={term.value} onInput={(event) => update(index, { value: event.currentTarget.value })} />
            </>
          )}
          <button type="button" aria-label={`Remove condition ${index + 1}`} onClick={() => onChange(terms.filter((_, i) => i !== index), join)}>
            Remove
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...terms, { field: fields[0] ?? '', op: '==', value: '' }], join)}>
        Add condition
      </button>
    </fieldset>
  );
}
