/**
 * Starts the real service on a free loopback port with a fresh store, and
 * talks to it over real HTTP.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before } from 'node:test';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config.js';
import { createApiKey, createDomain } from '../../src/auth/api-keys.js';
import { startService, type RunningService } from '../../src/service.js';
import { openStore } from '../../src/store/open.js';
import type { Role } from '../../src/store/store.js';

export const IP = '/rest/v1/service/integration_points';
export const RR = '/rest/v1/uc/recordrules';

/**
 * TEST_POSTGRES_URL, when it names a PostgreSQL database: the suite then runs
 * on PostgreSQL (`npm test` runs it once without and once with it).
 */
export const postgresUrl = /^postgres(ql)?:/.test(process.env.TEST_POSTGRES_URL ?? '') ? process.env.TEST_POSTGRES_URL! : undefined;
export const onPostgres = postgresUrl !== undefined;
/** The reason a PostgreSQL-only test gives when it is skipped. */
export const NEEDS_POSTGRES = 'needs TEST_POSTGRES_URL=postgres://...';

/**
 * The store a test service uses: the embedded default under `dataDir`, or,
 * when TEST_POSTGRES_URL names a PostgreSQL database, a schema of its own
 * there, so every service starts empty and isolated.
 */
export function testDatabaseUrl(dataDir: string): string {
  if (!onPostgres) return `sqlite:${path.join(dataDir, 'app.db')}`;
  const url = new URL(postgresUrl!);
  url.searchParams.set('schema', `t_${randomBytes(6).toString('hex')}`);
  return url.toString();
}

/**
 * Runs one SQL statement on a test service's store behind the service's
 * back, as data written before today's checks would have been.
 */
export async function execBehindTheService(databaseUrl: string, sql: string): Promise<void> {
  if (!databaseUrl.startsWith('postgres')) {
    const db = new DatabaseSync(databaseUrl.slice('sqlite:'.length));
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
    return;
  }
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: url.toString(), options: `-c search_path=${schema}` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Drops the schema a PostgreSQL test service used; nothing to do on the embedded store. */
export async function dropTestStore(databaseUrl: string): Promise<void> {
  if (!databaseUrl.startsWith('postgres')) return;
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export interface TestService extends RunningService {
  dataDir: string;
  config: Config;
  /** The read-write key of domain "default" the service bootstrapped. */
  key: string;
}

export async function startTestService(overrides: Partial<Config> = {}, dataDir = mkdtempSync(path.join(tmpdir(), 'collections-'))): Promise<TestService> {
  const config: Config = {
    ...loadConfig({}),
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    databaseUrl: testDatabaseUrl(dataDir),
    bootstrapKeyFile: path.join(dataDir, 'bootstrap-key'),
    ...overrides,
  };
  const service = await startService(config);
  const key = existsSync(config.bootstrapKeyFile!) ? readFileSync(config.bootstrapKeyFile!, 'utf8').trim() : '';
  return { ...service, dataDir, config, key };
}

/** A new key through the admin functions the CLI uses; creates the domain if needed. */
export async function addKey(service: TestService, domain: string, role: Role = 'read-write'): Promise<string> {
  const store = openStore(service.config.databaseUrl);
  try {
    await createDomain(store, domain);
    return await createApiKey(store, domain, role);
  } finally {
    await store.close();
  }
}

/** The Authorization header for a key. */
export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

/** One service for the whole test file, started before and stopped after its tests. */
export function useService(overrides: Partial<Config> = {}): { readonly current: TestService; api: Api } {
  const holder = {} as { current: TestService; api: Api };
  before(async () => {
    holder.current = await startTestService(overrides);
    holder.api.baseUrl = holder.current.url;
    holder.api.key = holder.current.key;
  });
  after(async () => {
    await holder.current.stop();
    await dropTestStore(holder.current.config.databaseUrl);
    rmSync(holder.current.dataDir, { recursive: true, force: true });
  });
  holder.api = new Api('');
  return holder;
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A body sent exactly as written, for tests of malformed input. */
export class RawBody {
  constructor(readonly text: string) {}
}

export class Api {
  constructor(
    public baseUrl: string,
    /** Sent as a Bearer token unless a request names its own authorization. */
    public key = '',
  ) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const init: RequestInit = { method, headers: { ...(this.key ? bearer(this.key) : {}), ...headers } };
    if (body !== undefined) {
      init.body = body instanceof RawBody ? body.text : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json; charset=utf-8';
    }
    const response = await fetch(this.baseUrl + path, init);
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  get<T = any>(path: string, query: Record<string, string> = {}) {
    const search = new URLSearchParams(query).toString();
    return this.request<T>('GET', search ? `${path}?${search}` : path);
  }
  post<T = any>(path: string, body: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body, headers);
  }
  patch<T = any>(path: string, body: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', path, body, headers);
  }
  delete(path: string) {
    return this.request('DELETE', path);
  }
  lookup<T = any>(path: string, body: unknown, headers?: Record<string, string>) {
    return this.request<T>('LOOKUP', path, body, headers);
  }

  /** Creates an entity and fails loudly unless the service accepted it. */
  async create(path: string, body: Record<string, unknown>): Promise<any> {
    const reply = await this.post(path, body);
    if (reply.status !== 200) throw new Error(`create failed: ${reply.status} ${reply.text}`);
    return reply.body;
  }

  /** Everything stored in both collections, every field: to prove a request changed nothing. */
  async snapshot(): Promise<unknown> {
    const ip = await this.get(IP, { limit: '10000', mask: 'id,code,type,token_local,token_remote,token_remote2,url,recv_svcscriptcode,recv_svcscriptcode_ws,send_svcscriptcode,send_svcscriptcode_ws,opts,ext' });
    const rr = await this.get(RR, { limit: '10000', mask: 'id,priority,dir,fromnumber,tonumber,crossdomain,rec,storageruleid,schedule,periods,opts,ext' });
    if (ip.status !== 200 || rr.status !== 200) throw new Error('snapshot failed');
    return { ip: ip.body, rr: rr.body };
  }
}
