/**
 * Paths of the API that are not a collection's own: facts of the URL space,
 * shared by the routes that serve them and the OpenAPI document that
 * describes them.
 */

/** The change feed: Server-Sent Events of the caller's domain. */
export const EVENTS_PATH = '/rest/v1/events';

/** AIP-136 custom method: `POST <collection>:lookup` is LOOKUP for clients that only speak POST. */
export const LOOKUP_SUFFIX = ':lookup';
