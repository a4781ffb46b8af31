/**
 * A call as the decision engine sees it, and its direction from the point
 * of view of one domain taking part (shared/spec/RECORDING.md, "A call"):
 *   outside -> D incoming, D -> outside outgoing, D -> D inner,
 *   D -> E or E -> D crossdomain (the other domain is E).
 */
import type { Direction } from '../wire/decision.js';

const party = {
  type: 'object',
  properties: {
    // As long as the longest number mask; domain names are at most 63 characters (auth/api-keys.ts).
    number: { type: 'string', maxLength: 128, description: 'The party\'s number; "" when it has none.' },
    domain: { type: 'string', minLength: 1, maxLength: 63, description: 'The platform domain of the party; absent: outside the platform.' },
  },
  required: ['number'],
  additionalProperties: false,
};

/** The call as a client sends it (JSON Schema): validates request bodies and documents them. */
export const callSchema = {
  type: 'object',
  properties: {
    from: party,
    to: party,
    at: { type: 'string', format: 'date-time', maxLength: 64, description: 'RFC 3339; default: now.' },
  },
  required: ['from', 'to'],
  additionalProperties: false,
};

export interface Party {
  number: string;
  /** The platform domain of the party; undefined: outside the platform. */
  domain?: string;
}

export interface Call {
  from: Party;
  to: Party;
  /** The moment to decide for, in milliseconds since the epoch. */
  at: number;
}

/** The platform domains of the call, each once, the caller's first. */
export function domainsOf(call: Call): string[] {
  return [...new Set([call.from.domain, call.to.domain].filter((domain): domain is string => domain !== undefined))];
}

export function directionFor(call: Call, domain: string): { dir: Direction; other?: string } {
  const { from, to } = call;
  if (from.domain === domain && to.domain === domain) return { dir: 'inner' };
  if (from.domain === domain) return to.domain === undefined ? { dir: 'outgoing' } : { dir: 'crossdomain', other: to.domain };
  return from.domain === undefined ? { dir: 'incoming' } : { dir: 'crossdomain', other: from.domain };
}
