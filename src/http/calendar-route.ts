/**
 * GET and PATCH /rest/v1/domain/calendar: the caller's domain calendar as one
 * document (shared/spec/RECORDING.md, "Fixed points"). A PATCH is announced on
 * the change feed as an update of collection "calendar" whose id is the domain.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CALENDAR_COLLECTION, calendarPatchProblems, defaultCalendar, type CalendarPatch } from '../calendar/document.js';
import { timestamp } from '../entity/rows.js';
import type { ChangeFeed } from '../events/change-feed.js';
import type { Store } from '../store/store.js';
import { CALENDAR_PATH } from '../collections/api-paths.js';
import { canonicalTimeZone } from '../collections/values/time-zone.js';
import { invalid, invalidField } from '../errors.js';
import { callerDomain } from './authentication.js';

export { CALENDAR_PATH };

function noParameters(request: FastifyRequest): void {
  const [name] = Object.keys(request.query as object);
  if (name !== undefined) throw invalidField(name, 'unknown parameter; this operation takes none');
}

export function registerCalendarRoute(app: FastifyInstance, store: Store, feed: ChangeFeed): void {
  app.get(CALENDAR_PATH, async (request) => {
    noParameters(request);
    return (await store.getCalendar(callerDomain(request))) ?? defaultCalendar();
  });

  app.patch(CALENDAR_PATH, async (request) => {
    noParameters(request);
    const problems = calendarPatchProblems(request.body);
    if (problems.length > 0) throw invalid(problems);
    const sent = request.body as CalendarPatch;
    const patch = typeof sent.timezone === 'string' ? { ...sent, timezone: canonicalTimeZone(sent.timezone) } : sent;
    const domain = callerDomain(request);
    const calendar = await store.patchCalendar(domain, patch, timestamp());
    void feed.publish({ op: 'update', collection: CALENDAR_COLLECTION, id: domain, domain }).catch((err) => request.log.warn({ err }, 'change not announced'));
    return calendar;
  });
}
