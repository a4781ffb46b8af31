/**
 * Domains and API keys. A key is 32 random bytes shown once when created;
 * the store keeps only its SHA-256 (a slow hash adds nothing for keys of
 * that entropy) together with the domain and role it grants.
 */
import { hash, randomBytes, randomUUID } from 'node:crypto';
import { timestamp } from '../entity/rows.js';
import type { Role, Store } from '../store/store.js';

export const ROLES: readonly Role[] = ['read-only', 'read-write', 'decider'];
export const BOOTSTRAP_DOMAIN = 'default';
const DOMAIN_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const KEY_PREFIX = 'csk_';

export function hashApiKey(key: string): string {
  return hash('sha256', key, 'hex');
}

export function validateDomainName(name: string): void {
  if (!DOMAIN_NAME.test(name)) throw new Error(`domain name must match ${DOMAIN_NAME}`);
}

/** Creates the domain if it does not exist yet; true when it was created. */
export async function createDomain(store: Store, name: string): Promise<boolean> {
  validateDomainName(name);
  return store.createDomain(name, timestamp());
}

/** Creates a key for an existing domain and returns it: the only time it is visible. */
export async function createApiKey(store: Store, domain: string, role: Role, label = ''): Promise<string> {
  if (!ROLES.includes(role)) throw new Error(`role must be one of ${ROLES.join(', ')}`);
  if (!(await store.domainExists(domain))) throw new Error(`no domain "${domain}"; create it first`);
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  await store.createApiKey({ id: randomUUID(), keyHash: hashApiKey(key), domain, role, label, createdAt: timestamp() });
  return key;
}
