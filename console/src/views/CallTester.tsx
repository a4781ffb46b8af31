/**
 * "Test a call": asks the service for a recording decision with its trace
 * (POST recording_decisions?trace=true) and explains it: which rule decided,
 * and for each rule tried before it the condition that failed, with the
 * rule's own value for that condition.
 */
import { useState } from 'preact/hooks';
import { describeFailure, type Api } from '../api.js';
import type { ServiceDescription } from '../api-description.js';
import type { Condition, Decision } from '../../../src/wire/decision.js';

type Rule = Record<string, unknown>;

const CONDITION_TEXT: Record<Condition, string> = {
  dir: 'the call’s direction is not the rule’s dir',
  fromnumber: 'the caller’s number does not match the rule’s fromnumber',
  tonumber: 'the called number does not match the rule’s tonumber',
  crossdomain: 'the other domain does not match the rule’s crossdomain',
  schedule: 'the time is outside the rule’s schedule',
  periods: 'the time is outside the rule’s periods',
};

/** A local date-time for the input, the minutes of now. */
function localNow(): string {
  const now = new Date();
  now.setMinutes(now.getMinutes() - now.getTimezoneOffset(), 0, 0);
  return now.toISOString().slice(0, 16);
}

export function CallTester({ api, path, domain, service, canReadRules }: { api: Api; path: string; domain: string; service: ServiceDescription; canReadRules: boolean }) {
  const [fields, setFields] = useState({ fromNumber: '', fromDomain: '', toNumber: '', toDomain: domain, at: localNow() });
  const [decision, setDecision] = useState<Decision>();
  const [rules, setRules] = useState<Record<string, Rule>>({});
  const [failure, setFailure] = useState<string>();
  const rulesPath = service.collections.find((collection) => collection.fields.includes('priority') && collection.fields.includes('fromnumber'))?.path;

  const field = (name: keyof typeof fields, label: string, type: 'text' | 'datetime-local' = 'text') => (
    <div class="field">
      <label for={`call-${name}`}>{label}</label>
      {type === 'text' ? (
        <input id={`call-${name}`} type="text" value={fields[name]} onInput={(event) => setFields({ ...fields, [name]: event.currentTarget.value })} />
      ) : (
        <input id={`call-${name}`} type="datetime-local" value={fields[name]} onInput={(event) => setFields({ ...fields, [name]: event.currentTarget.value })} />
      )}
    </div>
  );

  const submit = async (event: Event) => {
    event.preventDefault();
    setFailure(undefined);
    const party = (number: string, partyDomain: string) => (partyDomain.trim() ? { number, domain: partyDomain.trim() } : { number });
    const call = { from: party(fields.fromNumber, fields.fromDomain), to: party(fields.toNumber, fields.toDomain), ...(fields.at ? { at: new Date(fields.at).toISOString() } : {}) };
    try {
      const answer = await api.request<Decision>('POST', path, { query: { trace: true }, body: call });
      const ids = [...new Set(answer.domains.flatMap((one) => (one.domain === domain ? (one.trace ?? []).map((entry) => entry.id) : [])))];
      // The rules of the key's own domain, to show their titles and the values that failed; shown with the decision, not after it.
      const found = rulesPath && canReadRules && ids.length > 0 ? await api.get<Rule[]>(rulesPath, { flat: true, limit: ids.length, filter: JSON.stringify(['in', ['property', 'id'], ['list', ...ids]]) }) : [];
      setRules(Object.fromEntries(found.map((rule) => [String(rule.id), rule])));
      setDecision(answer);
    } catch (err) {
      setDecision(undefined);
      setFailure(describeFailure(err));
    }
  };

  const ruleName = (id: string) => {
    const rule = rules[id];
    const title = rule?.['opts.title'];
    return typeof title === 'string' && title !== '' ? title : id;
  };

  return (
    <section aria-labelledby="call-heading">
      <h2 id="call-heading">Test a call</h2>
      <p class="description">Which rule records a call, and why the rules before it did not. Nothing is stored.</p>
      <form class="call-form" onSubmit={submit}>
        <fieldset>
          <legend>From</legend>
          {field('fromNumber', 'From number')}
          {field('fromDomain', 'From domain (empty: outside the platform)')}
        </fieldset>
        <fieldset>
          <legend>To</legend>
          {field('toNumber', 'To number')}
          {field('toDomain', 'To domain (empty: outside the platform)')}
        </fieldset>
        {field('at', 'Time (your local time)', 'datetime-local')}
        <button type="submit">Test the call</button>
      </form>
      {failure && (
        <p role="alert" class="form-error">
          {failure}
        </p>
      )}
      {decision && (
        <div class="decision" role="region" aria-label="Decision" aria-live="polite">
          <p class={`verdict ${decision.record ? 'recorded' : 'not-recorded'}`} data-testid="verdict">
            {decision.record ? 'Recorded' : 'Not recorded'}
          </p>
          {decision.domains.map((one) => (
            <article key={one.domain} aria-label={`Domain ${one.domain}`} class="domain-decision">
              <h3>
                Domain {one.domain}: {one.dir} call, {one.record ? 'recorded' : 'not recorded'}
              </h3>
              <p data-testid="deciding-rule">
                {one.rule ? `Decided by rule ${ruleName(one.rule.id)} (priority ${one.rule.priority}, rec ${one.rule.rec})` : 'No rule applies: not recorded'}
                {one.storagerule && `; kept under storage rule ${one.storagerule.name || one.storagerule.id} for ${one.storagerule.expires} days`}
              </p>
              {one.trace && one.trace.length > 0 && (
                <table class="trace">
                  <caption>Rules tried, in decision order</caption>
                  <thead>
                    <tr>
                      <th scope="col">Priority</th>
                      <th scope="col">Rule</th>
                      <th scope="col">Outcome</th>
                    </tr>
                  </thead>
                  <tbody>
                    {one.trace.map((entry) => (
                      <tr key={entry.id} data-id={entry.id} class={entry.failed === null ? 'decided' : undefined}>
                        <td>{entry.priority}</td>
                        <td>{ruleName(entry.id)}</td>
                        <td data-testid="outcome">
                          {entry.failed === null
                            ? 'decided'
                            : `failed: ${entry.failed}${rules[entry.id] ? ` (${JSON.stringify(rules[entry.id][entry.failed])})` : ''}: ${CONDITION_TEXT[entry.failed] ?? entry.failed}`}
                          {entry.reason && ` (${entry.reason})`}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </article>
          ))}
          {decision.not_evaluated.length > 0 && <p>Not evaluated (this key may not decide there): {decision.not_evaluated.join(', ')}</p>}
        </div>
      )}
    </section>
  );
}
