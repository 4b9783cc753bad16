/**
 * The shell: sign-in screen, header with the signed-in person, the main navigation (inbox,
 * customers, support orders, staff, API keys: each shown only to a role the API answers), hash
 * routes (#/inbox/<view>, #/tickets/<id>, #/customers[/<id>], #/orders, #/staff, #/keys), the
 * live region and the keyboard help.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { can, mayAcceptOrders } from './access';
import { type Api, createApi } from './api/client';
import type { Auth, Session } from './auth';
import type { ConsoleConfig } from './config';
import { CustomerDetail, Customers } from './customers';
import { Inbox } from './inbox';
import type { ViewId } from './inbox-data';
import { Keys } from './keys';
import { type Me, whoAmI } from './me';
import { Orders } from './orders';
import { Staff } from './staff';
import { Workspace } from './workspace';

export type Route =
  | { page: 'inbox'; view: ViewId }
  | { page: 'ticket'; id: string; focus?: 'reply' | 'escalate' }
  | { page: 'customers' }
  | { page: 'customer'; id: string }
  | { page: 'orders' }
  | { page: 'staff' }
  | { page: 'keys' };

function parseRoute(hash: string): Route {
  const [, page, rest] = /^#\/([a-z]+)\/?(.*)$/.exec(hash) ?? [];
  if (page === 'customers') return rest ? { page: 'customer', id: decodeURIComponent(rest) } : { page: 'customers' };
  if (page === 'orders' || page === 'staff' || page === 'keys') return { page };
  if (page === 'tickets' && rest) {
    const [id, focus] = rest.split('/');
    return { page: 'ticket', id: decodeURIComponent(id!), ...(focus === 'reply' || focus === 'escalate' ? { focus } : {}) };
  }
  return { page: 'inbox', view: (rest ? decodeURIComponent(rest) : 'mine') as ViewId };
}

export const go = (hash: string): void => {
  location.hash = hash;
};

/** The live region: new cases and results of actions are read out to screen-reader users. */
let announceTo: ((message: string) => void) | undefined;
export const announce = (message: string): void => announceTo?.(message);

export function App({ config, auth, signInError }: { config: ConsoleConfig; auth: Auth; signInError?: string }) {
  const [session, setSession] = useState<Session | undefined>(auth.current);
  useEffect(() => auth.onChange(setSession), [auth]);
  if (!session) return <SignIn auth={auth} config={config} error={signInError} />;
  return <SignedIn config={config} auth={auth} session={session} />;
}

function SignIn({ auth, config, error }: { auth: Auth; config: ConsoleConfig; error: string | undefined }) {
  const [problem, setProblem] = useState(error);
  return (
    <main id="main" class="sign-in">
      <h1>tierdesk console</h1>
      <p>Support staff sign in to work their queues{config.stage ? ` (${config.stage})` : ''}.</p>
      {problem && (
        <p role="alert" class="error">
          {problem}
        </p>
      )}
      <button type="button" class="primary" onClick={() => auth.signIn().catch((e: Error) => setProblem(`Sign-in could not start: ${e.message}`))}>
        Sign in
      </button>
    </main>
  );
}

function SignedIn({ config, auth, session }: { config: ConsoleConfig; auth: Auth; session: Session }) {
  const api: Api = useMemo(() => createApi(config.apiUrl, () => auth.token()), [config, auth]);
  const [me, setMe] = useState<Me>();
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash));
  const [message, setMessage] = useState('');
  const [help, setHelp] = useState(false);
  const helpRef = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    whoAmI(api, session.claims).then(setMe, () => setMe(undefined));
  }, [api, session.claims.sub]);
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    announceTo = (text) => {
      // Cleared first so the same words are announced again.
      setMessage('');
      requestAnimationFrame(() => setMessage(text));
    };
    return () => {
      announceTo = undefined;
    };
  }, []);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === '?' && !typing(event)) {
        event.preventDefault();
        setHelp(true);
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    const dialog = helpRef.current;
    if (!dialog) return;
    if (help && !dialog.open) dialog.showModal();
    if (!help && dialog.open) dialog.close();
  }, [help]);

  return (
    <>
      {/* biome-ignore lint/a11y/useValidAnchor: a real link to #main (works without script); the handler only moves focus there too */}
      <a
        class="skip"
        href="#main"
        onClick={(event) => {
          event.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="top">
        <p class="brand">tierdesk{config.stage ? ` · ${config.stage}` : ''}</p>
        <nav aria-label="Main">
          <ul>
            <li>
              <a href="#/inbox/mine" aria-current={route.page === 'inbox' ? 'page' : undefined}>
                Inbox
              </a>
            </li>
            {/* Only what the API would answer for this role (access.ts, the API's own rules). */}
            {me && can(me, 'staff:read') && (
              <li>
                <a href="#/customers" aria-current={route.page === 'customers' || route.page === 'customer' ? 'page' : undefined}>
                  Customers
                </a>
              </li>
            )}
            {me && can(me, 'agent:read') && can(me, 'order:list') && (
              <li>
                <a href="#/orders" aria-current={route.page === 'orders' ? 'page' : undefined}>
                  Support orders
                </a>
              </li>
            )}
            {me && can(me, 'staff:read') && (
              <li>
                <a href="#/staff" aria-current={route.page === 'staff' ? 'page' : undefined}>
                  Staff
                </a>
              </li>
            )}
            {me && can(me, 'api-key:manage') && (
              <li>
                <a href="#/keys" aria-current={route.page === 'keys' ? 'page' : undefined}>
                  API keys
                </a>
              </li>
            )}
          </ul>
        </nav>
        <p class="who">
          Signed in as <strong>{me?.name ?? session.claims.name ?? session.claims.email}</strong>
          {me ? ` (${me.role})` : ''}
        </p>
        <button type="button" onClick={() => setHelp(true)} aria-haspopup="dialog">
          Keyboard shortcuts
        </button>
        <button type="button" onClick={() => void auth.signOut()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {!me ? (
          <p>Loading…</p>
        ) : route.page === 'inbox' ? (
          <Inbox api={api} me={me} view={route.view} />
        ) : route.page === 'ticket' ? (
          <Workspace key={route.id} api={api} me={me} id={route.id} {...(route.focus ? { focus: route.focus } : {})} />
        ) : route.page === 'customers' && can(me, 'staff:read') ? (
          <Customers api={api} />
        ) : route.page === 'customer' && can(me, 'staff:read') ? (
          <CustomerDetail key={route.id} api={api} me={me} id={route.id} />
        ) : route.page === 'orders' && can(me, 'agent:read') ? (
          <Orders api={api} mayAccept={mayAcceptOrders(me)} />
        ) : route.page === 'staff' && can(me, 'staff:read') ? (
          <Staff api={api} mayEdit={can(me, 'staff:write')} />
        ) : route.page === 'keys' && can(me, 'api-key:manage') ? (
          <Keys api={api} />
        ) : (
          <p role="alert">This page is not for your role ({me.role}).</p>
        )}
      </main>
      <div class="sr-only" role="status" aria-live="polite">
        {message}
      </div>
      <dialog ref={helpRef} aria-labelledby="keys-title" onClose={() => setHelp(false)}>
        <h2 id="keys-title">Keyboard shortcuts</h2>
        <dl class="keys">
          <dt>
            <kbd>j</kbd> / <kbd>↓</kbd>
          </dt>
          <dd>Next case in the list</dd>
          <dt>
            <kbd>k</kbd> / <kbd>↑</kbd>
          </dt>
          <dd>Previous case in the list</dd>
          <dt>
            <kbd>Enter</kbd>
          </dt>
          <dd>Open the selected case</dd>
          <dt>
            <kbd>r</kbd>
          </dt>
          <dd>Reply to the selected or open case</dd>
          <dt>
            <kbd>a</kbd>
          </dt>
          <dd>Assign the selected or open case to me</dd>
          <dt>
            <kbd>e</kbd>
          </dt>
          <dd>Escalate the selected or open case</dd>
          <dt>
            <kbd>/</kbd>
          </dt>
          <dd>Search the inbox</dd>
          <dt>
            <kbd>u</kbd>
          </dt>
          <dd>Back to the inbox</dd>
          <dt>
            <kbd>?</kbd>
          </dt>
          <dd>Show these keys</dd>
        </dl>
        <form method="dialog">
          <button type="submit" class="primary">
            Close
          </button>
        </form>
      </dialog>
    </>
  );
}

/** A key pressed while typing in a field (or with a modifier) is the field's, never a shortcut. */
export function typing(event: KeyboardEvent): boolean {
  if (event.ctrlKey || event.metaKey || event.altKey) return true;
  const target = event.target as HTMLElement | null;
  if (!target) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || !!target.closest('dialog[open]');
}
