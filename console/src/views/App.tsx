/**
 * The console's frame: sign-in, then the key's domain and role, the live
 * state of the change feed, and one view per collection, the calendar and
 * the call tester, chosen by the URL's hash so each can be linked to.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Api, describeFailure } from '../api.js';
import { describeService, type OpenApiDocument, type ServiceDescription } from '../api-description.js';
import { ChangeFeed, type FeedState } from '../change-feed.js';
import { session, type Whoami } from '../session.js';
import { CalendarView } from './CalendarView.js';
import { CallTester } from './CallTester.js';
import { CollectionView } from './CollectionView.js';
import { SignIn } from './SignIn.js';

const CALL_TESTER = 'test-a-call';
const CALENDAR = 'calendar';

function useHash(): string {
  const [hash, setHash] = useState(location.hash.replace(/^#\/?/, ''));
  useEffect(() => {
    const update = () => setHash(location.hash.replace(/^#\/?/, ''));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return hash;
}

export function App() {
  const [key, setKey] = useState(session.key());
  const [whoami, setWhoami] = useState<Whoami>();
  const [service, setService] = useState<ServiceDescription>();
  const [failure, setFailure] = useState<string>();
  const [feedState, setFeedState] = useState<FeedState>('connecting');
  const api = useMemo(() => key && new Api(key), [key]);
  const hash = useHash();

  useEffect(() => {
    if (!api) return;
    Promise.all([api.get<Whoami>('/rest/v1/whoami'), api.get<OpenApiDocument>('/openapi.json')]).then(
      ([who, document]) => {
        setWhoami(who);
        setService(describeService(document));
      },
      (err) => {
        // A key that no longer works (removed, or a node restarted on another store) signs out.
        session.signOut();
        setKey(null);
        setFailure(describeFailure(err));
      },
    );
  }, [api]);

  const feed = useMemo(() => {
    if (!api || !service?.eventsPath || whoami?.role === 'decider') return undefined;
    return new ChangeFeed(service.eventsPath, api.headers(), setFeedState);
  }, [api, service, whoami]);
  useEffect(() => () => feed?.close(), [feed]);

  if (!api) {
    return (
      <SignIn
        failure={failure}
        onSignIn={(newKey) => {
          setFailure(undefined);
          session.signIn(newKey);
          setKey(newKey);
        }}
      />
    );
  }
  if (!whoami || !service) return <p class="loading">Loading…</p>;

  const signOut = () => {
    session.signOut();
    setKey(null);
    setWhoami(undefined);
  };
  const readOnly = whoami.role !== 'read-write';
  const decider = whoami.role === 'decider';
  const views = decider ? [] : [...service.collections.map((collection) => collection.name), ...(service.calendar ? [CALENDAR] : [])];
  const current = [...views, CALL_TESTER].includes(hash) ? hash : (views[0] ?? CALL_TESTER);
  const collection = service.collections.find((candidate) => candidate.name === current);

  return (
    <div class="console">
      <header class="top">
        <h1>Collection service</h1>
        <dl class="identity" aria-label="Signed-in key">
          <dt>Domain</dt>
          <dd data-testid="domain">{whoami.domain}</dd>
          <dt>Role</dt>
          <dd data-testid="role">{whoami.role}</dd>
        </dl>
        {feed && (
          <p class={`feed feed-${feedState}`} role="status" data-feed={feedState}>
            {feedState === 'live' ? 'Live updates on' : feedState === 'connecting' ? 'Connecting to live updates…' : 'Live updates interrupted; reconnecting'}
          </p>
        )}
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <nav aria-label="Views">
        <ul>
          {[...views, ...(service.decisionsPath ? [CALL_TESTER] : [])].map((name) => (
            <li key={name}>
              <a href={`#/${name}`} aria-current={name === current ? 'page' : undefined}>
                {name === CALL_TESTER ? 'Test a call' : name === CALENDAR ? 'Calendar' : name}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main>
        {readOnly && !decider && <p class="notice">This key is read-only: the console shows, and does not change.</p>}
        {collection && <CollectionView key={collection.name} api={api} collection={collection} service={service} readOnly={readOnly} feed={feed} />}
        {current === CALENDAR && service.calendar && <CalendarView api={api} calendar={service.calendar} readOnly={readOnly} feed={feed} />}
        {current === CALL_TESTER && service.decisionsPath && <CallTester api={api} path={service.decisionsPath} domain={whoami.domain} service={service} canReadRules={!decider} />}
      </main>
    </div>
  );
}
