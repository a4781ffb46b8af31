/**
 * The memory all connections of a listener may hold in chunked bodies being
 * collected. A chunked body is held whole before the application sees its
 * request (and checks its key), so a bound per connection alone would let
 * memory without a key grow with the number of connections.
 */
export class BodyBudget {
  #left: number;

  constructor(bytes: number) {
    this.#left = bytes;
  }

  /** Takes `bytes` from the budget; takes nothing and returns false if it does not hold them. */
  take(bytes: number): boolean {
    if (bytes > this.#left) return false;
    this.#left -= bytes;
    return true;
  }

  give(bytes: number): void {
    this.#left += bytes;
  }
}
