/**
 * The OpenAPI description of what the HTTP layer serves besides collections:
 * the calendar document and recording decisions, from the schemas that
 * validate them.
 */
import { calendarSchema } from '../calendar/document.js';
import { callSchema } from '../decisions/call.js';
import { errorResponses, json, type ExtraPaths } from '../openapi/document.js';
import { CALENDAR_PATH } from './calendar-route.js';
import { DECISIONS_PATH } from './decisions-route.js';

/** The calendar document and recording decisions: not collections, described here by hand. */
export function documentPaths(): ExtraPaths {
  const traceEntry = {
    type: 'object',
    properties: { id: { type: 'string' }, priority: { type: 'integer' }, failed: { type: ['string', 'null'] }, reason: { type: 'string' } },
  };
  const domainDecision = {
    type: 'object',
    properties: {
      domain: { type: 'string' },
      dir: { type: 'string', enum: ['incoming', 'outgoing', 'inner', 'crossdomain'] },
      record: { type: 'boolean' },
      rule: { type: ['object', 'null'], properties: { id: { type: 'string' }, priority: { type: 'integer' }, rec: { type: 'integer' } } },
      storagerule: { type: ['object', 'null'], properties: { id: { type: 'string' }, name: { type: 'string' }, expires: { type: 'integer' } } },
      trace: { type: 'array', items: traceEntry, description: 'With ?trace=true: the rules tried, in order, the deciding one last.' },
    },
  };
  const decision = {
    type: 'object',
    properties: { record: { type: 'boolean' }, domains: { type: 'array', items: domainDecision }, not_evaluated: { type: 'array', items: { type: 'string' } } },
  };
  const paths = {
    [CALENDAR_PATH]: {
      get: {
        tags: ['calendar'],
        operationId: 'getCalendar',
        summary: "The domain's time zone and working week",
        responses: { '200': { description: 'The calendar', content: json(calendarSchema('entity')) }, ...errorResponses },
      },
      patch: {
        tags: ['calendar'],
        operationId: 'patchCalendar',
        summary: 'Change the time zone and/or weekdays of the working week',
        requestBody: { required: true, content: json(calendarSchema('patch')) },
        responses: { '200': { description: 'The calendar', content: json(calendarSchema('entity')) }, ...errorResponses },
      },
    },
    [DECISIONS_PATH]: {
      post: {
        tags: ['recording_decisions'],
        operationId: 'decideRecording',
        summary: 'Whether a call is recorded, by which rule, under which storage rule',
        parameters: [{ name: 'trace', in: 'query', schema: { type: 'boolean' }, description: 'Add the rules tried in each domain.' }],
        requestBody: { required: true, content: json(callSchema) },
        responses: { '200': { description: 'The decision of every domain the key may decide in', content: json(decision) }, ...errorResponses },
      },
    },
  };
  return {
    paths,
    tags: [
      { name: 'calendar', description: 'The domain calendar: time zone and working week.' },
      { name: 'recording_decisions', description: 'Apply the recordrules to a call.' },
    ],
  };
}
