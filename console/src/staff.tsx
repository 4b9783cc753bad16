/**
 * Staff: the directory of GET /staff — people, teams, partner organisations — and, for an admin,
 * editing a person (PUT /staff/people/{id}: name, email, time zone, phone, roles), the API's
 * error shown next to the field it names.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Api, ApiError, expectOk } from './api/client';
import type { Directory, Person } from './api/types';
import { announce } from './app';
import { personName, useLoad } from './load';
import { FieldError } from './widgets';

const ROLES: Person['roles'] = ['agent', 'team-lead', 'tam', 'csm', 'coo', 'ceo', 'project-manager', 'infrastructure', 'engineer'];

export function Staff({ api, mayEdit }: { api: Api; mayEdit: boolean }) {
  const directory = useLoad(() => expectOk<Directory>(api.GET('/staff', { cache: 'no-store' })), []);
  const [editing, setEditing] = useState<Person>();
  const d = directory.data;
  return (
    <section aria-labelledby="staff-title">
      <h1 id="staff-title">Staff</h1>
      {directory.error && (
        <p role="alert" class="error">
          Could not load the directory: {directory.error}
        </p>
      )}
      {!d ? (
        <p>Loading the directory…</p>
      ) : (
        <>
          <section aria-labelledby="people-title">
            <h2 id="people-title">People</h2>
            <table class="objectives">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Time zone</th>
                  <th scope="col">Roles</th>
                  <th scope="col">Partner</th>
                  {mayEdit && (
                    <th scope="col">
                      <span class="sr-only">Edit</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {d.people.map((person) => (
                  <tr key={person.id}>
                    <th scope="row">{person.name}</th>
                    <td>{person.email}</td>
                    <td>{person.timeZone}</td>
                    <td>{person.roles.join(', ') || '—'}</td>
                    <td>{person.partner ?? '—'}</td>
                    {mayEdit && (
                      <td>
                        <button type="button" onClick={() => setEditing(person)}>
                          Edit {person.name}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          {editing && (
            <EditPerson
              key={editing.id}
              api={api}
              person={editing}
              done={(saved) => {
                setEditing(undefined);
                if (saved) directory.reload();
              }}
            />
          )}
          <section aria-labelledby="teams-title">
            <h2 id="teams-title">Teams</h2>
            <table class="objectives">
              <thead>
                <tr>
                  <th scope="col">Team</th>
                  <th scope="col">Lead</th>
                  <th scope="col">Members</th>
                  <th scope="col">Tiers</th>
                  <th scope="col">Partner</th>
                </tr>
              </thead>
              <tbody>
                {d.teams.map((team) => (
                  <tr key={team.id}>
                    <th scope="row">{team.name}</th>
                    <td>{personName(d.people, team.lead)}</td>
                    <td>{team.members.map((id) => personName(d.people, id)).join(', ') || '—'}</td>
                    <td>{team.tiers.join(', ') || '—'}</td>
                    <td>{team.partner ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section aria-labelledby="partners-title">
            <h2 id="partners-title">Partner organisations</h2>
            {(d.partners ?? []).length === 0 ? (
              <p>None: the vendor works every tier.</p>
            ) : (
              <ul>
                {(d.partners ?? []).map((partner) => (
                  <li key={partner.id}>
                    {partner.name} ({partner.id})
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </section>
  );
}

function EditPerson({ api, person, done }: { api: Api; person: Person; done: (saved: boolean) => void }) {
  const [values, setValues] = useState({ name: person.name, email: person.email, timeZone: person.timeZone, phone: person.phone ?? '' });
  const [roles, setRoles] = useState<Person['roles']>(person.roles);
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);
  const field = error instanceof ApiError ? error.field : undefined;
  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const { id: _id, ...rest } = person;
      await expectOk(
        api.PUT('/staff/people/{id}', {
          params: { path: { id: person.id } },
          body: { ...rest, name: values.name, email: values.email, timeZone: values.timeZone, roles, ...(values.phone.trim() ? { phone: values.phone.trim() } : { phone: undefined }) },
        }),
      );
      announce(`${values.name} saved`);
      done(true);
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  };
  const text = (name: keyof typeof values, label: string) => (
    <div class="field">
      <label for={`person-${name}`}>{label}</label>
      <input
        id={`person-${name}`}
        type="text"
        value={values[name]}
        maxLength={200}
        aria-invalid={field === name || undefined}
        aria-describedby={field === name ? `person-${name}-error` : undefined}
        onInput={(event) => setValues({ ...values, [name]: event.currentTarget.value })}
      />
      <FieldError id={`person-${name}-error`} message={field === name ? error?.message : undefined} />
    </div>
  );
  return (
    <form class="action" aria-labelledby="edit-person-title" onSubmit={save} noValidate>
      <h2 id="edit-person-title" tabIndex={-1} ref={headingRef}>
        Edit {person.name}
      </h2>
      {text('name', 'Name')}
      {text('email', 'Email')}
      {text('timeZone', 'Time zone (IANA, e.g. Europe/Berlin)')}
      {text('phone', 'Phone')}
      <fieldset aria-describedby={field === 'roles' ? 'person-roles-error' : undefined}>
        <legend>Roles</legend>
        {ROLES.map((role) => (
          <label key={role} class="check">
            <input type="checkbox" checked={roles.includes(role)} onChange={(event) => setRoles(event.currentTarget.checked ? [...roles, role] : roles.filter((r) => r !== role))} /> {role}
          </label>
        ))}
        <FieldError id="person-roles-error" message={field === 'roles' ? error?.message : undefined} />
      </fieldset>
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy}>
          Save {person.name}
        </button>
        <button type="button" onClick={() => done(false)}>
          Cancel
        </button>
      </div>
      {error && !['name', 'email', 'timeZone', 'phone', 'roles'].includes(field ?? '') && (
        <p class="field-error" role="alert">
          {error.message}
        </p>
      )}
    </form>
  );
}
