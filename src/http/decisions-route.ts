/**
 * POST /rest/v1/uc/recording_decisions (shared/spec/RECORDING.md, "The
 * answer"): the call as the JSON body, the decision of every domain the key
 * may decide in as the answer; `?trace=true` adds the rules tried.
 * A key decides in its own domain; a `decider` key in every domain of the call.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { detailsOf, requestValidator, type FieldDetail } from '../entity/ajv.js';
import { callSchema, type Call } from '../decisions/call.js';
import type { DecisionEngine } from '../decisions/engine.js';
import { DECISIONS_PATH } from '../collections/api-paths.js';
import { invalid, invalidField } from '../errors.js';
import { callerDomain } from './authentication.js';

export { DECISIONS_PATH };

const validateCall = requestValidator(callSchema);
// RFC 3339 section 5.6: time-offset = "Z" / time-numoffset, time-numoffset = ("+" / "-") time-hour ":" time-minute.
const RFC3339_OFFSET = /(?:[Zz]|[+-]\d\d:\d\d)$/;

/** The body as a call; a 400 naming every field at fault otherwise. */
export function parseCall(body: unknown): Call {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidField('body', 'must be a JSON object: the call');
  const details: FieldDetail[] = validateCall(body) ? [] : detailsOf(validateCall.errors);
  const { from, to, at } = body as { from?: Call['from']; to?: Call['to']; at?: string };
  const instant = at === undefined ? Date.now() : Date.parse(at);
  // Date.parse refuses what the format admits but no clock shows, such as a leap second; and the
  // format admits an offset without its colon (+0300), which RFC 3339's time-numoffset does not.
  const unreadable = typeof at === 'string' && (Number.isNaN(instant) || !RFC3339_OFFSET.test(at));
  if (unreadable && !details.some((detail) => detail.field === 'at')) details.push({ field: 'at', message: 'must be an RFC 3339 date-time' });
  const hasDomain = (side: unknown) => typeof side === 'object' && side !== null && typeof (side as { domain?: unknown }).domain === 'string';
  if (details.length === 0 && !hasDomain(from) && !hasDomain(to)) {
    const message = 'at least one party must have a platform domain';
    details.push({ field: 'from.domain', message }, { field: 'to.domain', message });
  }
  if (details.length > 0) throw invalid(details);
  return { from: from!, to: to!, at: instant };
}

function traceParameter(request: FastifyRequest): boolean {
  const { trace, ...rest } = request.query as Record<string, unknown>;
  const [unknown] = Object.keys(rest);
  if (unknown !== undefined) throw invalidField(unknown, 'unknown parameter; expected trace');
  if (trace === undefined || trace === 'false' || trace === '0') return false;
  if (trace === 'true' || trace === '1' || trace === '') return true;
  throw invalidField('trace', 'must be true or false');
}

export function registerDecisionsRoute(app: FastifyInstance, engine: DecisionEngine): void {
  // Not async: a decision whose domains are compiled and current is answered without a promise.
  app.post(DECISIONS_PATH, (request, reply) => {
    const trace = traceParameter(request);
    const call = parseCall(request.body);
    const own = callerDomain(request);
    const everywhere = request.keyRole === 'decider';
    const options = { trace, mayDecideIn: (domain: string) => everywhere || domain === own };
    const decision = engine.decideNow(call, options);
    if (!decision) return engine.decide(call, options);
    void reply.send(decision);
    return undefined;
  });
}
