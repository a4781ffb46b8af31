/** SQL for domains and API keys, the same on every store but for placeholders. */
import type { Dialect } from './sql.js';

export function keyStatements(dialect: Dialect) {
  const p = (index: number) => dialect.placeholder(index);
  return {
    createDomain: `INSERT INTO domains (name, created_at) VALUES (${p(1)}, ${p(2)}) ON CONFLICT (name) DO NOTHING`,
    domainExists: `SELECT name FROM domains WHERE name = ${p(1)}`,
    createApiKey: `INSERT INTO api_keys (id, key_hash, domain, role, label, created_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)})`,
    findApiKey: `SELECT domain, role FROM api_keys WHERE key_hash = ${p(1)}`,
    countApiKeys: `SELECT COUNT(*) AS n FROM api_keys`,
  };
}
