/** The domain calendar: one document, its form drawn from the calendar's patch schema. */
import { useEffect, useState } from 'preact/hooks';
import { describeFailure, type Api } from '../api.js';
import type { JsonSchema } from '../api-description.js';
import type { ChangeFeed } from '../change-feed.js';
import { EntityForm } from './EntityForm.js';

const CALENDAR_COLLECTION = 'calendar';

export function CalendarView({ api, calendar, readOnly, feed }: { api: Api; calendar: { path: string; patch: JsonSchema }; readOnly: boolean; feed?: ChangeFeed }) {
  const [document, setDocument] = useState<Record<string, unknown>>();
  const [failure, setFailure] = useState<string>();
  const [message, setMessage] = useState('');
  const [version, setVersion] = useState(0);

  useEffect(() => {
    api.get<Record<string, unknown>>(calendar.path).then(setDocument, (err) => setFailure(describeFailure(err)));
  }, [api, calendar.path, version]);
  useEffect(() => feed?.subscribe((event) => (event === 'reconnected' || event.collection === CALENDAR_COLLECTION) && setVersion((v) => v + 1)), [feed]);

  return (
    <section aria-labelledby="calendar-heading">
      <h2 id="calendar-heading">Calendar</h2>
      <p class="description">The domain's time zone and working week; recordrules with schedule work or nonwork follow it, workdays make exceptions by date.</p>
      <p role="status" class="message">
        {message}
      </p>
      {failure && (
        <p role="alert" class="form-error">
          {failure}
        </p>
      )}
      {document && (
        <EntityForm
          key={JSON.stringify(document)}
          id="calendar-form"
          title="Time zone and working week"
          schema={calendar.patch}
          mode="edit"
          entity={document}
          readOnly={readOnly}
          submitLabel="Save calendar"
          onSubmit={async (body) => {
            if (Object.keys(body).length === 0) return;
            setDocument(await api.request<Record<string, unknown>>('PATCH', calendar.path, { body }));
            setMessage('Calendar saved');
          }}
        />
      )}
    </section>
  );
}
