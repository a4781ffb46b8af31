/**
 * The service's HTTP API as the console uses it: same origin, the key as a
 * Bearer token, JSON both ways, and the contract's error body kept whole so
 * forms can put each `error_details` entry next to its field.
 */
export interface FieldError {
  field: string;
  message: string;
}

export interface ErrorBody {
  error_code: number;
  error_message: string;
  error_details?: FieldError[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody | undefined,
  ) {
    super(body?.error_message ?? `HTTP ${status}`);
  }

  get details(): FieldError[] {
    return this.body?.error_details ?? [];
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

export class Api {
  constructor(readonly key: string) {}

  headers(): Record<string, string> {
    return { authorization: `Bearer ${this.key}` };
  }

  async request<T>(method: string, path: string, { query, body }: { query?: Query; body?: unknown } = {}): Promise<T> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) search.set(name, String(value));
    const url = search.size > 0 ? `${path}?${search}` : path;
    const headers = this.headers();
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers['content-type'] = 'application/json; charset=utf-8';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    if (!response.ok) throw new ApiError(response.status, parsed as ErrorBody | undefined);
    return parsed as T;
  }

  get<T>(path: string, query?: Query) {
    return this.request<T>('GET', path, { query });
  }
}

/** A one-line message for a failure the console shows as a whole. */
export function describeFailure(err: unknown): string {
  if (err instanceof ApiError) {
    const details = err.details.map((detail) => `${detail.field}: ${detail.message}`).join('; ');
    return details ? `${err.message} (${details})` : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
