/**
 * Paths of the API that are not a collection's own: facts of the URL space,
 * shared by the routes that serve them and the OpenAPI document that
 * describes them.
 */

/** The change feed: Server-Sent Events of the caller's domain. */
export const EVENTS_PATH = '/rest/v1/events';

/** The caller's own key: its domain and role, which a client needs to know what it may do. */
export const WHOAMI_PATH = '/rest/v1/whoami';

/** The caller's domain calendar: one document, GET and PATCH. */
export const CALENDAR_PATH = '/rest/v1/domain/calendar';

/** Recording decisions: POST a call, get whether and how it is recorded. */
export const DECISIONS_PATH = '/rest/v1/uc/recording_decisions';

/** AIP-136 custom method: `POST <collection>:lookup` is LOOKUP for clients that only speak POST. */
export const LOOKUP_SUFFIX = ':lookup';
