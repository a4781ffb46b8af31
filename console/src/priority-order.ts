/**
 * Reordering rules by priority: the rows shown keep the priority values they
 * have between them, handed out again in the new order, so a move changes
 * only the rows between the old and the new place and never jumps over a
 * rule that is not on the page. Equal priorities (which tie by age) are
 * first spread apart by one, since a permutation of equal values orders nothing.
 */
export interface Ranked {
  id: string;
  priority: number;
}

/** Moves the row at `from` to index `to`. */
export function moved<T>(rows: readonly T[], from: number, to: number): T[] {
  const next = [...rows];
  const [row] = next.splice(from, 1);
  next.splice(to, 0, row);
  return next;
}

/** The PATCHes of priority that make the stored order match `ordered`. */
export function priorityChanges(before: readonly Ranked[], ordered: readonly Ranked[]): { id: string; priority: number }[] {
  const values = before.map((row) => row.priority).sort((a, b) => a - b);
  for (let i = 1; i < values.length; i++) if (values[i] <= values[i - 1]) values[i] = values[i - 1] + 1;
  return ordered.flatMap((row, i) => (row.priority === values[i] ? [] : [{ id: row.id, priority: values[i] }]));
}
