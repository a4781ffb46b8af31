/**
 * Change notifications for writes made around the service (psql, a
 * migration script). A trigger on every collection table and on the
 * calendars calls pg_notify inside the writing transaction, so PostgreSQL
 * delivers it when, and only when, that write commits.
 *
 * The service's own connections carry ORIGIN_SETTING and are passed over:
 * a node announces its writes itself, after they commit. A NOTIFY inside a
 * transaction holds one database-wide lock through the commit's WAL flush,
 * so notifying from the trigger would queue every concurrent commit behind
 * the others (0.71 of the POST rate at 10 writers, measured).
 */
import { createHash } from 'node:crypto';
import { CALENDAR_COLLECTION } from '../calendar/document.js';
import type { CollectionModel } from '../collections/model.js';
import { CALENDARS_TABLE } from './calendar-sql.js';
import { quote, tableName } from './sql.js';

export const ORIGIN_SETTING = 'collections.origin';
const FUNCTION = 'collection_change_notify';
// PostgreSQL truncates identifiers, channel names among them, to 63 bytes.
const MAX_IDENTIFIER = 63;
const CHANNEL_PREFIX = 'collection_changes_';

/** The channel of a schema: its name where it fits, else a digest of it, so two schemas never share one. */
export function changeChannel(schema: string): string {
  const plain = CHANNEL_PREFIX + schema;
  if (plain.length <= MAX_IDENTIFIER) return plain;
  return CHANNEL_PREFIX + createHash('sha256').update(schema).digest('hex').slice(0, MAX_IDENTIFIER - CHANNEL_PREFIX.length);
}

/** Trigger arguments: channel, the collection's name on the feed, and whether the table holds one document per domain. */
const notifyFunction = `CREATE OR REPLACE FUNCTION ${FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  changed record;
  changed_id text;
  change_op text;
BEGIN
  IF coalesce(current_setting('${ORIGIN_SETTING}', true), '') <> '' THEN RETURN NULL; END IF;
  IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
  IF TG_ARGV[2] = 'document' THEN
    changed_id := changed.domain;
    change_op := 'update';
  ELSE
    changed_id := changed.id;
    change_op := CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END;
  END IF;
  PERFORM pg_notify(TG_ARGV[0], json_build_object('op', change_op, 'collection', TG_ARGV[1], 'id', changed_id,
    'domain', changed.domain)::text);
  RETURN NULL;
END
$fn$`;

const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** Creates the trigger unless the table has it: a node starting does not lock a busy table to replace it. */
function triggerStatement(table: string, channel: string, collection: string, kind: 'entity' | 'document'): string {
  const name = `${table.replace(/"/g, '')}_changes`;
  return `DO $do$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = ${literal(table)}::regclass AND tgname = ${literal(name)}) THEN
    CREATE TRIGGER ${quote(name)} AFTER INSERT OR UPDATE OR DELETE ON ${table} FOR EACH ROW
      EXECUTE FUNCTION ${FUNCTION}(${[channel, collection, kind].map(literal).join(', ')});
  END IF;
END $do$`;
}

/** Idempotent statements that make every write to `models` and the calendars notify `channel`. */
export function changeTriggerStatements(models: readonly CollectionModel[], channel: string): string[] {
  return [
    notifyFunction,
    ...models.map((model) => triggerStatement(tableName(model), channel, model.name, 'entity')),
    triggerStatement(CALENDARS_TABLE, channel, CALENDAR_COLLECTION, 'document'),
  ];
}
