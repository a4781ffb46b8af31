/**
 * The OpenAPI description of what the HTTP layer serves besides collections:
 * the caller's key, the calendar document and recording decisions, from the schemas that
 * validate them (the OpenAPI module sits below calendar/ and decisions/).
 */
import { CALENDAR_COLLECTION, calendarSchema } from '../calendar/document.js';
import { CALENDAR_PATH, DECISIONS_PATH, WHOAMI_PATH } from '../collections/api-paths.js';
import { callSchema } from '../decisions/call.js';
import { CONDITIONS, DIRECTIONS } from '../wire/decision.js';
import { ANY_KEY, API_REQUEST, headOf, json, operation, ref, WITH_BODY, type ExtraPaths, type OperationSpec } from '../openapi/document.js';

const noParameters = 'Takes no query parameters; any is a 400.';

function decisionSchemas(): Record<string, Record<string, unknown>> {
  const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
  return {
    Calendar: { ...calendarSchema('entity'), description: "The domain's calendar: its time zone and working week. A domain that never set one has the default." },
    CalendarPatch: { ...calendarSchema('patch'), description: 'The parts to change: timezone, and/or weekdays of the week (each given weekday is replaced whole).' },
    Call: { ...callSchema, description: 'A call: its two parties and when it happens. At least one party must have a platform domain.' },
    DecisionTraceEntry: {
      type: 'object',
      required: ['id', 'priority', 'failed'],
      properties: {
        id: { type: 'string', description: 'The recordrule' },
        priority: { type: 'integer' },
        failed: { ...nullable({ type: 'string', enum: [...CONDITIONS] }), description: 'The first condition that does not hold; null for the deciding rule.' },
        reason: { type: 'string', description: 'Why a rule holding a value no longer accepted on write never matches.' },
      },
      additionalProperties: false,
    },
    DomainDecision: {
      type: 'object',
      required: ['domain', 'dir', 'record', 'rule', 'storagerule'],
      properties: {
        domain: { type: 'string' },
        dir: { type: 'string', enum: [...DIRECTIONS], description: 'The direction of the call as this domain sees it.' },
        record: { type: 'boolean' },
        rule: {
          ...nullable({
            type: 'object',
            required: ['id', 'priority', 'rec'],
            properties: { id: { type: 'string' }, priority: { type: 'integer' }, rec: { type: 'integer', enum: [0, 1] } },
            additionalProperties: false,
          }),
          description: 'The deciding recordrule; null when none applies.',
        },
        storagerule: {
          ...nullable({
            type: 'object',
            required: ['id', 'name', 'expires'],
            properties: { id: { type: 'string' }, name: { type: 'string' }, expires: { type: 'integer' } },
            additionalProperties: false,
          }),
          description: 'Where the record goes, when it is recorded under a storage rule.',
        },
        trace: { type: 'array', items: ref('DecisionTraceEntry'), description: 'With ?trace=true: the rules tried, in order, the deciding one last.' },
      },
      additionalProperties: false,
    },
    Whoami: {
      type: 'object',
      required: ['domain', 'role'],
      properties: {
        domain: { type: 'string', description: 'The domain every request of this key runs in.' },
        role: { type: 'string', enum: ['read-write', 'read-only', 'decider'], description: 'What the key may do.' },
      },
      additionalProperties: false,
    },
    Decision: {
      type: 'object',
      required: ['record', 'domains', 'not_evaluated'],
      properties: {
        record: { type: 'boolean', description: 'Whether any domain records the call.' },
        domains: { type: 'array', items: ref('DomainDecision'), description: 'The decision of every domain of the call the key may decide in.' },
        not_evaluated: { type: 'array', items: { type: 'string' }, description: 'Domains of the call the key may not decide in.' },
      },
      additionalProperties: false,
    },
  };
}

/** The calendar document and recording decisions: not collections, described here by hand. */
export function documentPaths(): ExtraPaths {
  const tags = { calendar: ['calendar'], decisions: ['recording_decisions'] };
  const getCalendar: OperationSpec = {
    tags: tags.calendar,
    operationId: 'getCalendar',
    summary: "The domain's time zone and working week",
    description: `The calendar of the caller's domain, which recordrules with schedule work / nonwork refer to. ${noParameters}`,
    success: { '200': { description: 'The calendar', content: json(ref('Calendar')) } },
    errors: API_REQUEST,
  };
  const patchCalendar: OperationSpec = {
    tags: tags.calendar,
    operationId: 'patchCalendar',
    summary: 'Change the time zone and/or weekdays of the working week',
    description: `Each weekday given replaces that day's periods whole; the change is announced on the change feed as an update of collection "calendar". ${noParameters}`,
    requestBody: { required: true, content: json(ref('CalendarPatch')) },
    success: { '200': { description: 'The calendar', content: json(ref('Calendar')) } },
    errors: [...API_REQUEST, ...WITH_BODY],
  };
  const decide: OperationSpec = {
    tags: tags.decisions,
    operationId: 'decideRecording',
    summary: 'Whether a call is recorded, by which rule, under which storage rule',
    description:
      "Applies the recordrules of every domain of the call the key may decide in: its own, or with a decider key every domain. Every key may ask; it changes nothing.",
    parameters: [{ name: 'trace', in: 'query', schema: { type: 'boolean', default: false }, description: 'Add the rules tried in each domain. Also accepts 1/0.' }],
    requestBody: { required: true, content: json(ref('Call')) },
    success: { '200': { description: 'The decision of every domain the key may decide in', content: json(ref('Decision')) } },
    errors: [...ANY_KEY, ...WITH_BODY],
  };
  const whoami: OperationSpec = {
    tags: ['keys'],
    operationId: 'whoami',
    summary: "The caller's key: its domain and role",
    description: `What the key may do and where, for clients that adapt to it (the console at /console). Every key may ask, decider keys too. ${noParameters}`,
    success: { '200': { description: 'The domain and role of the key', content: json(ref('Whoami')) } },
    errors: ANY_KEY,
  };
  return {
    paths: {
      [WHOAMI_PATH]: { description: 'Other methods: 405 with Allow.', get: operation(whoami), head: headOf(whoami) },
      [CALENDAR_PATH]: { description: 'One document per domain. Other methods: 405 with Allow.', get: operation(getCalendar), head: headOf(getCalendar), patch: operation(patchCalendar) },
      [DECISIONS_PATH]: { description: 'Other methods: 405 with Allow.', post: operation(decide) },
    },
    tags: [
      { name: 'calendar', description: 'The domain calendar: time zone and working week.' },
      { name: 'recording_decisions', description: 'Apply the recordrules to a call.' },
      { name: 'keys', description: 'What the caller\'s API key is.' },
    ],
    schemas: decisionSchemas(),
    feed: [{ name: CALENDAR_COLLECTION, id: 'the domain' }],
  };
}
