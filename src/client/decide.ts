/**
 * `collection-service decide`: asks a running service for the recording
 * decision of a call and prints it as a short summary with a table per
 * domain, and with --trace a table of the rules each domain tried.
 */
import { call, ClientError, type ClientOptions } from './commands.js';
import { formatTable } from './table.js';
import type { Decision } from '../wire/decision.js';

export const DECISIONS_PATH = '/rest/v1/uc/recording_decisions';

export interface DecideFlags {
  from?: string;
  to?: string;
  'from-domain'?: string;
  'to-domain'?: string;
  at?: string;
  trace?: boolean;
}

const party = (number: string | undefined, domain: string | undefined) => ({ number: number ?? '', ...(domain === undefined ? {} : { domain }) });

function summary(decision: Decision): string {
  const lines = [`recorded: ${decision.record ? 'yes' : 'no'}`, ''];
  lines.push(
    formatTable(
      decision.domains.map(({ domain, dir, record, rule, storagerule }) => ({
        domain,
        dir,
        record: record ? 'yes' : 'no',
        rule: rule ? rule.id : '(no rule matched)',
        priority: rule ? String(rule.priority) : '',
        rec: rule ? String(rule.rec) : '',
        storagerule: storagerule ? `${storagerule.name || storagerule.id} (${storagerule.expires} days)` : '',
      })),
    ),
  );
  if (decision.not_evaluated.length > 0) lines.push('', `not evaluated: ${decision.not_evaluated.join(', ')}`);
  for (const { domain, trace } of decision.domains) {
    if (!trace) continue;
    lines.push('', `rules tried in ${domain}:`);
    lines.push(
      formatTable(
        trace.map((entry, i) => ({
          '#': String(i + 1),
          rule: entry.id,
          priority: String(entry.priority),
          result: entry.failed === null ? 'decides' : `${entry.failed} does not hold${entry.reason ? `: ${entry.reason}` : ''}`,
        })),
      ),
    );
  }
  return lines.join('\n');
}

export async function runDecide(flags: DecideFlags, options: ClientOptions): Promise<string> {
  if (flags.from === undefined || flags.to === undefined) throw new ClientError('decide needs --from <number> and --to <number>');
  if (flags['from-domain'] === undefined && flags['to-domain'] === undefined) throw new ClientError('decide needs --from-domain or --to-domain');
  const body = {
    from: party(flags.from, flags['from-domain']),
    to: party(flags.to, flags['to-domain']),
    ...(flags.at === undefined ? {} : { at: flags.at }),
  };
  const decision = (await call(options, 'POST', flags.trace ? `${DECISIONS_PATH}?trace=true` : DECISIONS_PATH, body)) as Decision;
  return options.json ? JSON.stringify(decision, null, 2) : summary(decision);
}
