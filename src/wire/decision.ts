/**
 * A recording decision as the service answers it (shared/spec/RECORDING.md,
 * "The answer"): what the engine builds, the OpenAPI document describes, and
 * the command line and the console read. Nothing here imports anything, so
 * the browser console may import it as well as src/.
 */

/** A rule's conditions, in the order they are checked (RECORDING.md, "Rule conditions"). */
export const CONDITIONS = ['dir', 'fromnumber', 'tonumber', 'crossdomain', 'schedule', 'periods'] as const;
export type Condition = (typeof CONDITIONS)[number];

/** The direction of a call as one domain sees it. */
export const DIRECTIONS = ['incoming', 'outgoing', 'inner', 'crossdomain'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export interface StorageRule {
  id: string;
  name: string;
  expires: number;
}

export interface TraceEntry {
  id: string;
  priority: number;
  /** The first condition that does not hold, in CONDITIONS' order; null for the deciding rule. */
  failed: Condition | null;
  /** Set when the rule holds a value no longer accepted on write: why it never matches. */
  reason?: string;
}

export interface DomainDecision {
  domain: string;
  dir: Direction;
  record: boolean;
  rule: { id: string; priority: number; rec: number } | null;
  storagerule: StorageRule | null;
  /** With ?trace=true: the rules tried, in order, the deciding one last. */
  trace?: TraceEntry[];
}

export interface Decision {
  record: boolean;
  domains: DomainDecision[];
  not_evaluated: string[];
}
