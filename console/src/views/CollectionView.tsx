/**
 * One collection: its list with the list parameters behind it (filter,
 * order, offset/limit, mask), the create and edit forms, delete with
 * confirmation and a LOOKUP box. Everything comes from the collection's
 * description (api-description.ts). A collection with a `priority` field is
 * shown in decision order and can be reordered, by dragging a row or with
 * its move buttons; one whose field a path resolves (integration points'
 * token_local) gets copy buttons and the URL an external system calls.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, describeFailure, type Api } from '../api.js';
import { schemaAt, type CollectionDescription, type ServiceDescription } from '../api-description.js';
import type { ChangeFeed } from '../change-feed.js';
import { filterExpression, type FilterTerm } from '../filter.js';
import { moved, priorityChanges, type Ranked } from '../priority-order.js';
import { formFields, valueAt } from '../schema-form.js';
import { ColumnChooser } from './ColumnChooser.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { EntityForm, type ReferenceOption } from './EntityForm.js';
import { FilterBuilder } from './FilterBuilder.js';

type Row = Record<string, unknown>;
type Order = { field: string; dir: 'asc' | 'desc' };
const PAGE_SIZES = [10, 25, 50, 100];
// The fields that best name an entity to a person, in preference order.
const NAMING_FIELDS = ['opts.title', 'name', 'code', 'date'];
const REFERENCE_OPTIONS_LIMIT = 1000;

interface Props {
  api: Api;
  collection: CollectionDescription;
  service: ServiceDescription;
  readOnly: boolean;
  feed?: ChangeFeed;
}

export function rowLabel(row: Row, fields: string[] = NAMING_FIELDS): string {
  // Rows of a list are flat (`opts.title`), a fetched entity is whole (`opts: {title}`).
  const named = fields.map((field) => row[field] ?? valueAt(row, field)).find((value) => typeof value === 'string' && value !== '');
  return (named as string | undefined) ?? String(row.id);
}

function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

async function copy(text: string, done: (message: string) => void) {
  try {
    await navigator.clipboard.writeText(text);
    done('Copied to the clipboard');
  } catch {
    done('The browser refused the clipboard; select the text and copy it');
  }
}

export function CollectionView({ api, collection, service, readOnly, feed }: Props) {
  const { name, path } = collection;
  const id = `c-${name}`;
  const reorderable = collection.fields.includes('priority');
  const tokenField = collection.resolver?.field;
  const referenceFields = useMemo(() => formFields(collection.create, collection.references).filter((field) => field.references), [collection]);

  const [terms, setTerms] = useState<FilterTerm[]>([]);
  const [join, setJoin] = useState<'and' | 'or'>('and');
  const [rawFilter, setRawFilter] = useState('');
  const [filter, setFilter] = useState<string>();
  const [order, setOrder] = useState<Order>();
  const [offset, setOffset] = useState(0);
  const [limit, setLimit] = useState(25);
  const [columns, setColumns] = useState<string[]>();
  const [rows, setRows] = useState<Row[]>();
  const [loadError, setLoadError] = useState<string>();
  const [version, setVersion] = useState(0);
  const [editing, setEditing] = useState<{ mode: 'create' } | { mode: 'edit'; entity: Row }>();
  const [deleting, setDeleting] = useState<Row>();
  const [message, setMessage] = useState('');
  const [references, setReferences] = useState<Record<string, ReferenceOption[]>>({});
  const [lookupKey, setLookupKey] = useState('');
  const [lookupResult, setLookupResult] = useState<{ ids: string[] } | { error: string }>();
  const [dragged, setDragged] = useState<number>();

  const shown = columns ?? collection.listColumns;
  const inDecisionOrder = reorderable && !order;
  const reload = () => setVersion((v) => v + 1);

  useEffect(() => {
    const orderParam = order
      ? [{ [order.field]: order.dir }]
      : reorderable
        ? // Decision order: priority, then the older rule, then the smaller id.
          [{ priority: 'asc' }, ...(collection.fields.includes('ext.ct') ? [{ 'ext.ct': 'asc' }] : []), { id: 'asc' }]
        : undefined;
    const mask = columns && [...new Set(['id', ...(reorderable ? ['priority'] : []), ...columns])].join(',');
    let current = true;
    api.get<Row[]>(path, { flat: true, offset, limit, filter, order: orderParam && JSON.stringify(orderParam), mask }).then(
      (page) => {
        if (!current) return;
        setRows(page);
        setLoadError(undefined);
      },
      (err) => current && setLoadError(describeFailure(err)),
    );
    return () => {
      current = false;
    };
  }, [api, path, filter, order, offset, limit, columns, version]);

  // The entities reference fields name: their labels in the table, the choices in the forms.
  useEffect(() => {
    for (const field of referenceFields) {
      const target = service.collections.find((candidate) => candidate.name === field.references);
      if (!target) continue;
      const naming = NAMING_FIELDS.filter((key) => target.fields.includes(key));
      api.get<Row[]>(target.path, { flat: true, limit: REFERENCE_OPTIONS_LIMIT, mask: ['id', ...naming].join(',') }).then(
        (entities) => setReferences((previous) => ({ ...previous, [target.name]: entities.map((entity) => ({ id: String(entity.id), label: rowLabel(entity, naming) })) })),
        () => undefined,
      );
    }
  }, [api, referenceFields, version]);

  useEffect(
    () =>
      feed?.subscribe((event) => {
        if (event === 'reconnected' || event.collection === name || referenceFields.some((field) => field.references === event.collection)) reload();
      }),
    [feed, name, referenceFields],
  );

  const applyFilter = (event: Event) => {
    event.preventDefault();
    const expression = filterExpression(terms, join, (field) => schemaAt(collection.create, field));
    setFilter(expression ? JSON.stringify(expression) : rawFilter.trim() || undefined);
    setOffset(0);
  };
  const clearFilter = () => {
    setTerms([]);
    setRawFilter('');
    setFilter(undefined);
    setOffset(0);
  };

  const sortBy = (field: string) => {
    setOffset(0);
    if (order?.field !== field) setOrder({ field, dir: 'asc' });
    else if (order.dir === 'asc') setOrder({ field, dir: 'desc' });
    else setOrder(undefined);
  };

  const openEdit = async (entityId: string) => {
    try {
      setEditing({ mode: 'edit', entity: await api.get<Row>(`${path}/${encodeURIComponent(entityId)}`) });
    } catch (err) {
      setMessage(describeFailure(err));
    }
  };

  const remove = async (row: Row) => {
    setDeleting(undefined);
    try {
      await api.request('DELETE', `${path}/${encodeURIComponent(String(row.id))}`);
      setMessage(`Deleted ${rowLabel(row)}`);
      if (editing?.mode === 'edit' && editing.entity.id === row.id) setEditing(undefined);
    } catch (err) {
      setMessage(`Not deleted: ${describeFailure(err)}`);
    }
    reload();
  };

  // POST <collection>:lookup rather than the LOOKUP method: the described operation, which passes any proxy or gateway.
  const lookUp = async (event: Event) => {
    event.preventDefault();
    try {
      setLookupResult({ ids: await api.request<string[]>('POST', `${path}:lookup`, { body: lookupKey }) });
    } catch (err) {
      setLookupResult({ error: err instanceof ApiError && err.status === 404 ? 'Nothing has this key' : describeFailure(err) });
    }
  };

  const move = async (from: number, to: number) => {
    if (!rows || to < 0 || to >= rows.length || from === to) return;
    const before = rows as unknown as Ranked[];
    const ordered = moved(before, from, to);
    const changes = priorityChanges(before, ordered);
    setRows(ordered.map((row) => ({ ...row, priority: changes.find((change) => change.id === row.id)?.priority ?? row.priority })) as unknown as Row[]);
    try {
      for (const change of changes) await api.request('PATCH', `${path}/${encodeURIComponent(change.id)}`, { body: { priority: change.priority } });
      setMessage(`Moved ${rowLabel(rows[from])} to place ${offset + to + 1}; ${changes.length} priorit${changes.length === 1 ? 'y' : 'ies'} saved`);
    } catch (err) {
      setMessage(`Order not saved: ${describeFailure(err)}`);
    }
    reload();
  };

  const labelOf = (key: string, value: unknown) => {
    const field = referenceFields.find((candidate) => candidate.key === key);
    if (!field || typeof value !== 'string' || value === '') return cellText(value);
    return references[field.references!]?.find((option) => option.id === value)?.label ?? value;
  };
  const headerOf = (key: string) => {
    const field = referenceFields.find((candidate) => candidate.key === key);
    return field ? `${key} (${field.references})` : key;
  };

  return (
    <section class="collection" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{name}</h2>
      <p class="description">{collection.description}</p>

      <div class="toolbar">
        {!readOnly && (
          <button type="button" onClick={() => setEditing({ mode: 'create' })}>
            New {collection.entity}
          </button>
        )}
        <form class="lookup" onSubmit={lookUp} role="search" aria-label={`Look up ${name}`}>
          <label for={`${id}-lookup`}>Look up by key</label>
          <input id={`${id}-lookup`} type="search" value={lookupKey} onInput={(event) => setLookupKey(event.currentTarget.value)} />
          <button type="submit">Look up</button>
          <div class="lookup-result" role="status">
            {lookupResult && 'error' in lookupResult && lookupResult.error}
            {lookupResult && 'ids' in lookupResult && (
              <>
                Found:{' '}
                {lookupResult.ids.map((found) => (
                  <button type="button" class="link" key={found} onClick={() => openEdit(found)}>
                    {found}
                  </button>
                ))}
              </>
            )}
          </div>
        </form>
      </div>

      {editing && (
        <div class="editor">
          {editing.mode === 'edit' && tokenField && typeof editing.entity[tokenField] === 'string' && (
            <ExternalUrl url={`${location.origin}${collection.resolver!.path}/${editing.entity[tokenField] as string}`} onCopied={setMessage} />
          )}
          <EntityForm
            key={editing.mode === 'edit' ? String(editing.entity.id) + String(editing.entity['ext'] && JSON.stringify(editing.entity['ext'])) : 'new'}
            id={`${id}-form`}
            title={editing.mode === 'create' ? `New ${collection.entity}` : `${readOnly ? '' : 'Edit '}${rowLabel(editing.entity)} (${String(editing.entity.id)})`}
            schema={editing.mode === 'create' ? collection.create : collection.patch}
            references={collection.references}
            mode={editing.mode}
            entity={editing.mode === 'edit' ? editing.entity : undefined}
            readOnly={readOnly}
            referenceOptions={references}
            submitLabel={editing.mode === 'create' ? 'Create' : 'Save'}
            onCancel={() => setEditing(undefined)}
            onSubmit={async (body) => {
              if (editing.mode === 'create') {
                const created = await api.request<Row>('POST', path, { body });
                setMessage(`Created ${rowLabel(created)}`);
              } else if (Object.keys(body).length > 0) {
                const saved = await api.request<Row>('PATCH', `${path}/${encodeURIComponent(String(editing.entity.id))}`, { body });
                setMessage(`Saved ${rowLabel(saved)}`);
              }
              setEditing(undefined);
              reload();
            }}
          />
        </div>
      )}

      <form class="filters" onSubmit={applyFilter} aria-label={`Filter ${name}`}>
        <FilterBuilder id={`${id}-filter`} fields={collection.fields} terms={terms} join={join} onChange={(next, nextJoin) => (setTerms(next), setJoin(nextJoin))} />
        {terms.length === 0 && (
          <div class="raw-filter">
            <label for={`${id}-raw-filter`}>Or a filter as JSON</label>
            <input id={`${id}-raw-filter`} type="text" spellcheck={false} placeholder='{"field": "value"} or ["==", ["property", "field"], "value"]' value={rawFilter} onInput={(event) => setRawFilter(event.currentTarget.value)} />
          </div>
        )}
        <div class="actions">
          <button type="submit">Apply filter</button>
          <button type="button" onClick={clearFilter} disabled={filter === undefined && terms.length === 0 && rawFilter === ''}>
            Clear filter
          </button>
          {filter && (
            <span class="applied">
              filter=<code>{filter}</code>
            </span>
          )}
        </div>
      </form>

      <div class="table-tools">
        <ColumnChooser id={id} fields={collection.fields} chosen={shown} onChange={setColumns} onReset={() => setColumns(undefined)} />
        {reorderable && <p class="hint">{inDecisionOrder ? (readOnly ? 'In decision order: the first rule whose conditions hold decides.' : 'In decision order. Drag a row, or use its move buttons, to change it.') : 'Sorted by a column; clear the sort to see and change the decision order.'}</p>}
      </div>

      <p role="status" class="message">
        {message}
      </p>
      {loadError && (
        <p role="alert" class="form-error">
          {loadError}
        </p>
      )}

      {/* Wide collections scroll sideways; focusable so the keyboard can scroll it too. */}
      <div class="table-scroll" tabIndex={0} role="region" aria-label={`${name} table`}>
      <table class="rows" aria-labelledby={`${id}-heading`} aria-describedby={`${id}-range`}>
        <thead>
          <tr>
            {inDecisionOrder && !readOnly && <th scope="col">Order</th>}
            {shown.map((key) => (
              <th scope="col" key={key} aria-sort={order?.field === key ? (order.dir === 'asc' ? 'ascending' : 'descending') : undefined}>
                <button type="button" class="sort" onClick={() => sortBy(key)} aria-label={`Sort by ${key}`}>
                  {headerOf(key)}
                  <span aria-hidden="true">{order?.field === key ? (order.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                </button>
              </th>
            ))}
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {(rows ?? []).map((row, index) => (
            <tr
              key={String(row.id)}
              data-id={String(row.id)}
              draggable={inDecisionOrder && !readOnly}
              class={dragged === index ? 'dragging' : undefined}
              onDragStart={(event) => {
                setDragged(index);
                event.dataTransfer?.setData('text/plain', String(row.id));
                if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
              }}
              onDragOver={(event) => inDecisionOrder && event.preventDefault()}
              onDrop={(event) => {
                event.preventDefault();
                if (dragged !== undefined) void move(dragged, index);
                setDragged(undefined);
              }}
              onDragEnd={() => setDragged(undefined)}
            >
              {inDecisionOrder && !readOnly && (
                <td class="order">
                  <button type="button" aria-label={`Move ${rowLabel(row)} up`} disabled={index === 0} onClick={() => move(index, index - 1)}>
                    ↑
                  </button>
                  <button type="button" aria-label={`Move ${rowLabel(row)} down`} disabled={index === rows!.length - 1} onClick={() => move(index, index + 1)}>
                    ↓
                  </button>
                </td>
              )}
              {shown.map((key) => (
                <td key={key} data-column={key}>
                  <span class="value">{labelOf(key, row[key])}</span>
                  {key === tokenField && typeof row[key] === 'string' && (
                    <button type="button" class="copy" aria-label={`Copy ${key} of ${rowLabel(row)}`} onClick={() => copy(row[key] as string, setMessage)}>
                      Copy
                    </button>
                  )}
                </td>
              ))}
              <td class="actions">
                <button type="button" onClick={() => openEdit(String(row.id))} aria-label={`${readOnly ? 'View' : 'Edit'} ${rowLabel(row)}`}>
                  {readOnly ? 'View' : 'Edit'}
                </button>
                {!readOnly && (
                  <button type="button" class="danger" onClick={() => setDeleting(row)} aria-label={`Delete ${rowLabel(row)}`}>
                    Delete
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>

      <nav class="pager" aria-label={`Pages of ${name}`}>
        <button type="button" onClick={() => setOffset(Math.max(0, offset - limit))} disabled={offset === 0}>
          Previous page
        </button>
        <span id={`${id}-range`} data-testid="range">
          {rows === undefined ? 'Loading…' : rows.length === 0 ? (offset === 0 ? 'No entities' : `Nothing after ${offset}`) : `Rows ${offset + 1}–${offset + rows.length}`}
        </span>
        <button type="button" onClick={() => setOffset(offset + limit)} disabled={!rows || rows.length < limit}>
          Next page
        </button>
        <label for={`${id}-limit`}>Rows per page</label>
        <select id={`${id}-limit`} value={String(limit)} onChange={(event) => (setLimit(Number(event.currentTarget.value)), setOffset(0))}>
          {PAGE_SIZES.map((size) => (
            <option key={size} value={String(size)}>
              {size}
            </option>
          ))}
        </select>
      </nav>

      {deleting && <ConfirmDialog question={`Delete ${rowLabel(deleting)} (${String(deleting.id)})? This cannot be undone.`} confirmLabel="Delete" onConfirm={() => remove(deleting)} onCancel={() => setDeleting(undefined)} />}
    </section>
  );
}

function ExternalUrl({ url, onCopied }: { url: string; onCopied: (message: string) => void }) {
  return (
    <p class="external-url">
      <span>URL an external system calls with this token:</span> <code data-testid="external-url">{url}</code>{' '}
      <button type="button" onClick={() => copy(url, onCopied)}>
        Copy URL
      </button>
    </p>
  );
}
