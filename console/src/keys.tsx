/**
 * API keys (admin): the keys, revoked ones too (GET /api-keys, never a secret); create one (the
 * secret is shown once, here, and never again); revoke; rotate (a new secret, shown once).
 */
import { useState } from 'preact/hooks';
import { type Api, ApiError, expectOk } from './api/client';
import type { ApiKey, ApiKeyWithSecret } from './api/types';
import { announce } from './app';
import { useLoad } from './load';
import { when } from './sla';
import { FieldError } from './widgets';

type Role = ApiKey['role'];

export function Keys({ api }: { api: Api }) {
  const keys = useLoad(() => expectOk<{ items: ApiKey[]; cursor: string | null }>(api.GET('/api-keys', { params: { query: { limit: 100 } }, cache: 'no-store' })), []);
  const [secret, setSecret] = useState<ApiKeyWithSecret>();
  const [problem, setProblem] = useState<string>();

  const run = async (what: string, call: () => Promise<ApiKeyWithSecret | ApiKey>) => {
    setProblem(undefined);
    try {
      const answer = await call();
      if ('key' in answer) setSecret(answer);
      announce(what);
      keys.reload();
    } catch (error) {
      setProblem((error as Error).message);
    }
  };

  return (
    <section aria-labelledby="keys-title-h">
      <h1 id="keys-title-h">API keys</h1>
      {secret && (
        <section aria-labelledby="secret-title" class="secret">
          <h2 id="secret-title">The secret of {secret.name}</h2>
          <p>
            Copy it now: it is shown this once. Send it as <code>Authorization: Bearer &lt;key&gt;</code>.
          </p>
          <label for="secret-value">Secret of {secret.name}</label>
          <input id="secret-value" type="text" readOnly value={secret.key} size={60} onFocus={(event) => event.currentTarget.select()} />
          <div class="buttons">
            <button type="button" onClick={() => void navigator.clipboard?.writeText(secret.key).then(() => announce('Secret copied'))}>
              Copy the secret
            </button>
            <button type="button" onClick={() => setSecret(undefined)}>
              Done, hide it
            </button>
          </div>
        </section>
      )}
      <CreateKey api={api} created={(key) => void run(`Key ${key.name} created`, async () => key)} />
      {problem && (
        <p role="alert" class="error">
          {problem}
        </p>
      )}
      {keys.error && (
        <p role="alert" class="error">
          Could not load the keys: {keys.error}
        </p>
      )}
      <section aria-labelledby="key-list-title">
        <h2 id="key-list-title">Keys</h2>
        {!keys.data ? (
          <p>Loading keys…</p>
        ) : (
          <table class="objectives">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.items.map((key) => (
                <tr key={key.id}>
                  <th scope="row">
                    {key.name} <span class="muted">{key.id}</span>
                  </th>
                  <td>
                    {key.role}
                    {key.customerId ? ` of ${key.customerId}` : ''}
                  </td>
                  <td>{key.status === 'revoked' ? `revoked${key.revokedAt ? ` ${when(key.revokedAt)}` : ''}` : 'active'}</td>
                  <td>{key.createdAt ? `${when(key.createdAt)}${key.createdBy ? ` by ${key.createdBy}` : ''}` : '—'}</td>
                  <td>{key.lastUsedAt ? when(key.lastUsedAt) : 'never'}</td>
                  <td>
                    {key.status === 'active' && (
                      <div class="buttons">
                        <button
                          type="button"
                          onClick={() => void run(`Key ${key.name} rotated`, () => expectOk<ApiKeyWithSecret>(api.POST('/api-keys/{id}/rotate', { params: { path: { id: key.id } } })))}
                        >
                          Rotate {key.name}
                        </button>
                        <button
                          type="button"
                          onClick={() => {
                            if (confirm(`Revoke ${key.name}? Requests with it are refused from now on.`))
                              void run(`Key ${key.name} revoked`, () => expectOk<ApiKey>(api.DELETE('/api-keys/{id}', { params: { path: { id: key.id } } })));
                          }}
                        >
                          Revoke {key.name}
                        </button>
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </section>
  );
}

function CreateKey({ api, created }: { api: Api; created: (key: ApiKeyWithSecret) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [customerId, setCustomerId] = useState('');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const field = error instanceof ApiError ? error.field : undefined;
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const key = await expectOk<ApiKeyWithSecret>(api.POST('/api-keys', { body: { name, role, ...(role === 'customer' ? { customerId } : {}) } }));
      setName('');
      setCustomerId('');
      created(key);
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  };
  const invalid = (which: string) => ({ 'aria-invalid': field === which || undefined, 'aria-describedby': field === which ? `key-${which}-error` : undefined });
  return (
    <form class="action" aria-labelledby="create-key-title" onSubmit={submit} noValidate>
      <h2 id="create-key-title">Create a key</h2>
      <div class="field">
        <label for="key-name">Key name</label>
        <input id="key-name" type="text" value={name} maxLength={100} {...invalid('name')} onInput={(event) => setName(event.currentTarget.value)} />
        <FieldError id="key-name-error" message={field === 'name' ? error?.message : undefined} />
      </div>
      <div class="field">
        <label for="key-role">Role</label>
        <select id="key-role" value={role} {...invalid('role')} onChange={(event) => setRole(event.currentTarget.value as Role)}>
          <option value="agent">agent</option>
          <option value="admin">admin</option>
          <option value="customer">customer (a portal)</option>
        </select>
      </div>
      {role === 'customer' && (
        <div class="field">
          <label for="key-customerId">Customer id</label>
          <input id="key-customerId" type="text" value={customerId} maxLength={64} {...invalid('customerId')} onInput={(event) => setCustomerId(event.currentTarget.value)} />
          <FieldError id="key-customerId-error" message={field === 'customerId' ? error?.message : undefined} />
        </div>
      )}
      <button type="submit" class="primary" disabled={busy}>
        Create key
      </button>
      {error && !['name', 'customerId'].includes(field ?? '') && (
        <p class="field-error" role="alert">
          {error.message}
        </p>
      )}
    </form>
  );
}
