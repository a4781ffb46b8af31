/** Which fields the table shows: the list's `mask`. */
interface Props {
  id: string;
  fields: string[];
  chosen: string[];
  onChange: (chosen: string[]) => void;
  onReset: () => void;
}

export function ColumnChooser({ id, fields, chosen, onChange, onReset }: Props) {
  return (
    <details class="column-chooser">
      <summary>Columns</summary>
      <fieldset>
        <legend>Columns shown</legend>
        {fields.map((field) => (
          <div key={field}>
            <input
              type="checkbox"
              id={`${id}-column-${field.replace(/\W/g, '-')}`}
              checked={chosen.includes(field)}
              onChange={(event) => onChange(event.currentTarget.checked ? fields.filter((candidate) => candidate === field || chosen.includes(candidate)) : chosen.filter((candidate) => candidate !== field))}
            />
            <label for={`${id}-column-${field.replace(/\W/g, '-')}`}>{field}</label>
          </div>
        ))}
        <button type="button" onClick={onReset}>
          Default columns
        </button>
      </fieldset>
    </details>
  );
}
