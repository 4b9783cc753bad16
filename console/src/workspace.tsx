/**
 * One case: the header (customer, plan, entitlement, designated user, SLA objectives due in the
 * agent's zone and the customer's), the timeline, the reply / internal-note editor and every
 * action of POST /tickets/{id}/actions. The API's error appears next to the field it names; an
 * action the case's state rules out is not offered (the API still decides).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Api, ApiError, expectOk } from './api/client';
import type { paths } from './api/schema';
import type { AttachmentLink, Customer, DeskPolicy, Severity, TicketWithTimeline, TimelineEvent } from './api/types';
import { announce, typing } from './app';
import { tierName } from './desk';
import { assignToMe, nameOf } from './inbox';
import type { Me } from './me';
import { agentZone, badges, when } from './sla';
import { FieldError, SlaBadges } from './widgets';

type ActionBody = paths['/tickets/{id}/actions']['post']['requestBody']['content']['application/json'];
type MessageKind = 'agent-reply' | 'internal-note';

const POLL_MS = 4000;
const DETAILS = [
  ['stepsToReproduce', 'Steps to reproduce'],
  ['actionPlan', 'Action plan'],
  ['symptoms', 'Symptoms'],
  ['diagnosticData', 'Diagnostic data'],
] as const;
type DetailKey = (typeof DETAILS)[number][0];

export function Workspace({ api, me, id, focus }: { api: Api; me: Me; id: string; focus?: 'reply' | 'escalate' }) {
  const [ticket, setTicket] = useState<TicketWithTimeline>();
  const [customer, setCustomer] = useState<Customer>();
  const [severities, setSeverities] = useState<Severity[]>([]);
  const [problem, setProblem] = useState<string>();
  const [now, setNow] = useState(Date.now());
  const replyRef = useRef<HTMLTextAreaElement>(null);
  const escalateRef = useRef<HTMLTextAreaElement>(null);

  const load = async () => {
    try {
      const next = await expectOk<TicketWithTimeline>(api.GET('/tickets/{id}', { params: { path: { id } }, cache: 'no-store' }));
      setNow(Date.now());
      setTicket((before) => (before && before.version === next.version && before.timeline.length === next.timeline.length ? before : next));
      setProblem(undefined);
      return next;
    } catch (error) {
      setProblem((error as Error).message);
      return undefined;
    }
  };

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      await load();
      if (!stopped) timer = setTimeout(tick, POLL_MS);
    };
    void load().then((first) => {
      if (first?.customerId) expectOk<Customer>(api.GET('/customers/{id}', { params: { path: { id: first.customerId } } })).then(setCustomer, () => undefined);
      timer = setTimeout(tick, POLL_MS);
    });
    expectOk<{ severities: Severity[] }>(api.GET('/policy/severities')).then(
      (answer) => setSeverities(answer.severities),
      () => undefined,
    );
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [id]);

  useEffect(() => {
    if (!ticket) return;
    if (focus === 'reply') replyRef.current?.focus();
    if (focus === 'escalate') escalateRef.current?.focus();
  }, [ticket === undefined, focus]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (typing(event) || !ticket) return;
      if (event.key === 'r') {
        event.preventDefault();
        replyRef.current?.focus();
      } else if (event.key === 'e') {
        event.preventDefault();
        escalateRef.current?.focus();
      } else if (event.key === 'a') {
        void assignToMe(api, me, ticket).then(load);
      } else if (event.key === 'u') {
        history.back();
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  });

  if (!ticket)
    return problem ? (
      <p role="alert" class="error">
        Could not open the case: {problem}
      </p>
    ) : (
      <p>Loading the case…</p>
    );

  const act = async (body: ActionBody, done: string) => {
    await expectOk(api.POST('/tickets/{id}/actions', { params: { path: { id } }, body }));
    announce(`${ticket.caseNumber}: ${done}`);
    await load();
  };
  const post = async (kind: MessageKind, body: string) => {
    await expectOk(api.POST('/tickets/{id}/messages', { params: { path: { id } }, body: { kind, body } }));
    announce(`${ticket.caseNumber}: ${kind === 'agent-reply' ? 'reply sent' : 'internal note added'}`);
    await load();
  };

  const closed = ticket.status === 'resolved' || ticket.status === 'closed';
  const staff = me.role !== 'customer';
  const customerZone = ticket.requester.timeZone ?? customer?.timeZone;
  const management = ticket.sla.management;

  return (
    <article class="workspace" aria-labelledby="case-title">
      <p>
        {/* biome-ignore lint/a11y/useValidAnchor: a real link to the inbox; the handler goes back instead when there is history, keeping the inbox's place */}
        <a
          href="#/inbox/mine"
          onClick={(event) => {
            if (history.length > 1) {
              event.preventDefault();
              history.back();
            }
          }}
        >
          Back to the inbox
        </a>
      </p>
      <h1 id="case-title">
        <span class="case-number">{ticket.caseNumber}</span> {ticket.subject}
      </h1>
      {problem && (
        <p role="alert" class="error">
          {problem}
        </p>
      )}
      <section aria-labelledby="facts-title" class="facts">
        <h2 id="facts-title">Case</h2>
        <dl>
          <Fact term="Status">{ticket.status}</Fact>
          <Fact term="Severity">{severities.find((s) => s.id === ticket.severity)?.name ?? ticket.severity}</Fact>
          <Fact term="Tier / team">
            {tierName(me.desk, ticket.tier)} / {ticket.team}
          </Fact>
          <Fact term="Assignee">{ticket.assignee ? nameOf(me, ticket.assignee) : 'unassigned'}</Fact>
          <Fact term="Customer">{customer ? `${customer.name} (${customer.id})` : (ticket.customerId ?? `none matched${ticket.requester.company ? ` (says ${ticket.requester.company})` : ''}`)}</Fact>
          <Fact term="Plan">
            {ticket.sla.plan}
            {ticket.sla.addOns.length ? ` + ${ticket.sla.addOns.join(', ')}` : ''}
          </Fact>
          {ticket.entitlement && (
            <Fact term="Entitlement">
              {ticket.entitlement.status}
              {ticket.entitlement.reasons.length > 0 && (
                <ul>
                  {ticket.entitlement.reasons.map((reason) => (
                    <li key={reason}>{reason}</li>
                  ))}
                </ul>
              )}
            </Fact>
          )}
          {ticket.entitlement && <Fact term="Designated user">{ticket.entitlement.designatedUser ? 'yes' : 'no'}</Fact>}
          <Fact term="Requester">
            {ticket.requester.name ?? ''} {ticket.requester.email ? `<${ticket.requester.email}>` : ''} {ticket.requester.phone ?? ''}
          </Fact>
          {ticket.caseReason && <Fact term="Case reason">{me.desk?.caseReasons.find((reason) => reason.id === ticket.caseReason)?.name ?? ticket.caseReason}</Fact>}
          {ticket.resolution && (
            <Fact term="Resolution">
              {ticket.resolution.type}: {ticket.resolution.text}
            </Fact>
          )}
        </dl>
      </section>
      <section aria-labelledby="sla-title">
        <h2 id="sla-title">SLA objectives</h2>
        <SlaBadges ticket={ticket} now={now} desk={me.desk} />
        <table class="objectives">
          <thead>
            <tr>
              <th scope="col">Objective</th>
              <th scope="col">Time left (business hours)</th>
              <th scope="col">Due (your time, {agentZone()})</th>
              <th scope="col">Due (customer's time{customerZone ? `, ${customerZone}` : ''})</th>
            </tr>
          </thead>
          <tbody>
            {badges(ticket, now, me.desk).map((badge) => (
              <tr key={badge.key}>
                <th scope="row">{badge.label}</th>
                <td>
                  {badge.text}
                  {badge.wallClock ? ' (clock time)' : ''}
                </td>
                <td>{badge.due ? when(badge.due) : '—'}</td>
                <td>{badge.due ? when(badge.due, customerZone) : '—'}</td>
              </tr>
            ))}
            {management && !management.stoppedAt && (
              <tr>
                <th scope="row">Management escalation ({management.stepId})</th>
                <td>{management.acknowledgedAt ? 'acknowledged' : management.breachedAt ? 'overdue' : 'waiting for an answer'}</td>
                <td>{when(management.due)}</td>
                <td>{when(management.due, customerZone)}</td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        <p class="description">{ticket.description}</p>
        <ol class="timeline">
          {ticket.timeline.map((event) => (
            <Event key={event.id} api={api} ticketId={ticket.id} event={event} />
          ))}
        </ol>
      </section>
      {staff && !closed && <Editor post={post} textareaRef={replyRef} />}
      <section aria-labelledby="actions-title" class="actions">
        <h2 id="actions-title">Actions</h2>
        {staff && !closed && (
          <>
            <AssignForm me={me} act={act} />
            <ActionForm
              name="severity"
              title="Severity"
              submit="Set severity"
              fields={[{ name: 'severity', label: 'New severity', options: severities.map((s) => [s.id, s.name]), value: ticket.severity }]}
              run={(v) => act({ type: 'set-severity', severity: v.severity! }, 'severity set')}
            />
            <ActionForm
              name="case-reason"
              title="Case reason"
              submit="Set case reason"
              fields={[caseReasonField(me.desk, 'New case reason', ticket.caseReason)]}
              run={(v) => act({ type: 'set-case-reason', caseReason: v.caseReason! }, 'case reason set')}
            />
            <ActionForm
              name="details"
              title="Record details"
              submit="Record details"
              fields={DETAILS.map(([key, label]) => ({ name: `details.${key}`, label, multiline: true, value: ticket.details?.[key] ?? '' }))}
              run={(v) => act({ type: 'record-details', details: detailsOf(v) }, 'details recorded')}
            />
            <EscalateForm desk={me.desk} ticket={ticket} reasonRef={escalateRef} act={act} />
            {ticket.status === 'pending-customer' ? (
              <ActionForm name="resume" title="Waiting on the customer" submit="Resume the clock" fields={[]} run={() => act({ type: 'resume' }, 'clock resumed')} />
            ) : (
              <ActionForm name="pause" title="Wait on the customer" submit="Pause the clock" fields={[]} run={() => act({ type: 'pause' }, 'clock paused, waiting on the customer')} />
            )}
            <ActionForm
              name="resolve"
              title="Resolve"
              submit="Resolve"
              fields={[
                {
                  name: 'resolutionType',
                  label: 'Resolution type',
                  options: [
                    ['fix', 'Fix'],
                    ['workaround', 'Workaround'],
                    ['other', 'Other solution'],
                  ],
                  value: 'fix',
                },
                { name: 'text', label: 'Resolution', multiline: true },
              ]}
              run={(v) => act({ type: 'resolve', resolutionType: v.resolutionType as 'fix' | 'workaround' | 'other', text: v.text ?? '' }, 'resolved')}
            />
          </>
        )}
        {management && !management.acknowledgedAt && !management.stoppedAt && staff && (
          <ActionForm
            name="acknowledge"
            title={`Management escalation: ${management.reason}`}
            submit="Acknowledge the escalation"
            fields={[]}
            run={() => act({ type: 'acknowledge-escalation' }, 'escalation acknowledged')}
          />
        )}
        {closed && (
          <ActionForm
            name="reopen"
            title="Reopen"
            submit="Reopen"
            fields={[{ name: 'reason', label: 'Reason for reopening' }]}
            run={(v) => act({ type: 'reopen', ...(v.reason ? { reason: v.reason } : {}) }, 'reopened')}
          />
        )}
        {ticket.status !== 'closed' && (
          <ActionForm
            name="close"
            title="Close"
            submit="Close the case"
            fields={[{ name: 'reason', label: 'Reason for closing' }]}
            run={(v) => act({ type: 'close', ...(v.reason ? { reason: v.reason } : {}) }, 'closed')}
          />
        )}
      </section>
    </article>
  );
}

function Fact({ term, children }: { term: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function detailsOf(values: Record<string, string>): Partial<Record<DetailKey, string>> {
  const details: Partial<Record<DetailKey, string>> = {};
  for (const [key] of DETAILS) {
    const value = values[`details.${key}`]?.trim();
    if (value) details[key] = value;
  }
  return details;
}

const EVENT_LABELS: Record<string, string> = {
  created: 'Opened the case',
  'customer-message': 'Customer message',
  'agent-reply': 'Reply',
  'internal-note': 'Internal note',
  'phone-call': 'Phone call',
  escalated: 'Escalated',
  resolved: 'Resolved',
  'sla-warning': 'SLA warning',
  'sla-breached': 'SLA breached',
};

function Event({ api, ticketId, event }: { api: Api; ticketId: string; event: TimelineEvent }) {
  const attachments = event.data?.mail?.attachments ?? [];
  const recording = typeof event.data?.recordingUrl === 'string' ? event.data.recordingUrl : undefined;
  const label = EVENT_LABELS[event.type] ?? event.type.replace(/-/g, ' ');
  return (
    <li class={`event ${event.public ? 'public' : 'internal'} ${event.type}`}>
      <h3>
        {label} <span class="visibility">{event.public ? 'Public' : 'Internal'}</span>
      </h3>
      <p class="meta">
        {event.actor.kind === 'system' ? 'tierdesk' : event.actor.id} · <time dateTime={event.at}>{when(event.at)}</time>
        {event.type === 'created' && event.data?.channel ? ` · ${String(event.data.channel)}` : ''}
      </p>
      {event.body && <p class="body">{event.body}</p>}
      {!event.body && event.data && !attachments.length && <p class="data">{summary(event.data)}</p>}
      {attachments.length > 0 && (
        <ul class="attachments" aria-label="Attachments">
          {attachments.map((attachment, n) =>
            attachment.skipped ? (
              <li key={n}>
                {attachment.filename} (not kept: {attachment.skipped})
              </li>
            ) : (
              <li key={n}>
                <button type="button" class="link" onClick={() => void download(api, ticketId, event.id, n + 1, attachment.filename)}>
                  Download {attachment.filename}
                </button>{' '}
                ({Math.ceil(attachment.size / 1024)} KB)
              </li>
            ),
          )}
        </ul>
      )}
      {recording && (
        <p>
          <a href={recording} rel="noreferrer noopener" target="_blank">
            Call recording
          </a>
        </p>
      )}
    </li>
  );
}

function summary(data: Record<string, unknown>): string {
  return Object.entries(data)
    .filter(([, value]) => value !== null && typeof value !== 'object')
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join(' · ');
}

/**
 * The attachment route answers a short-lived presigned S3 URL. Asked for JSON it answers the URL
 * itself (a fetch could not follow its redirect to S3, another origin): the console then opens
 * the URL, and S3 serves the file as a download under the name as mailed.
 */
async function download(api: Api, id: string, eventId: string, n: number, filename: string): Promise<void> {
  try {
    const link = await expectOk<AttachmentLink>(
      api.GET('/tickets/{id}/attachments/{eventId}/{n}', { params: { path: { id, eventId, n: String(n) } }, headers: { accept: 'application/json' }, cache: 'no-store' }),
    );
    Object.assign(document.createElement('a'), { href: link.url, rel: 'noopener noreferrer' }).click();
    announce(`Downloading ${link.filename}`);
  } catch (error) {
    announce(`Could not download ${filename}: ${(error as Error).message}`);
  }
}

// ---- forms -----------------------------------------------------------------------------------

/** A case reason field: the policy's reasons to choose from when the desk is known, else free text (the API checks it). */
function caseReasonField(desk: DeskPolicy | undefined, label: string, value: string | undefined, accepted?: string[]): FieldSpec {
  if (!desk || desk.caseReasons.length === 0) return { name: 'caseReason', label, value: value ?? '' };
  const options: [string, string][] = [
    ['', 'None'],
    ...desk.caseReasons.map((reason): [string, string] => [reason.id, accepted?.includes(reason.id) ? `${reason.name} (accepted by the tier)` : reason.name]),
  ];
  return { name: 'caseReason', label, options, value: value ?? '' };
}

/**
 * Escalation as the tier asks for it: the tiers above this one to choose from (empty: the next),
 * and the details fields labelled with what the chosen tier requires (GET /policy/desk). The form
 * still sends what is filled in and the API decides: a missing requirement comes back as a 422
 * naming the field, shown next to it.
 */
function EscalateForm({
  desk,
  ticket,
  reasonRef,
  act,
}: {
  desk: DeskPolicy | undefined;
  ticket: TicketWithTimeline;
  reasonRef: { current: HTMLTextAreaElement | null };
  act: (body: ActionBody, done: string) => Promise<void>;
}) {
  const [chosen, setChosen] = useState('');
  const tiers = desk?.tiers ?? [];
  const here = tiers.findIndex((tier) => tier.id === ticket.tier);
  const above = here >= 0 ? tiers.slice(here + 1) : [];
  const target = above.find((tier) => tier.id === chosen) ?? above[0];
  const requires = new Set<string>(target?.entryRequires ?? []);
  const tierField: FieldSpec = desk
    ? {
        name: 'tier',
        label: 'To tier',
        options: [['', above[0] ? `The next tier (${above[0].name})` : 'The next tier'], ...above.slice(1).map((tier): [string, string] => [tier.id, tier.name])],
        value: '',
      }
    : { name: 'tier', label: 'To tier (empty: the next one)' };
  const needs = (key: string) => (target && requires.has(key) ? ` (required by ${target.name})` : '');
  return (
    <ActionForm
      name="escalate"
      title="Escalate"
      submit="Escalate"
      intro={
        target
          ? `What ${target.name} requires is marked; the API checks it and names what is missing.`
          : 'What the next tier requires is refused by the API, naming the field; fill it in here and escalate again.'
      }
      onValues={(values) => setChosen(values.tier ?? '')}
      fields={[
        { name: 'reason', label: 'Reason for escalating', multiline: true, ref: reasonRef },
        tierField,
        caseReasonField(
          desk,
          `Case reason${target?.entryCaseReasons ? ` (${target.name} takes ${target.entryCaseReasons.map((id) => desk?.caseReasons.find((reason) => reason.id === id)?.name ?? id).join(' or ')})` : ''}`,
          ticket.caseReason,
          target?.entryCaseReasons,
        ),
        ...DETAILS.map(([key, label]) => ({ name: `details.${key}`, label: `${label}${needs(key)}`, multiline: true, value: ticket.details?.[key] ?? '' })),
      ]}
      run={async (v) => {
        if (v.caseReason && v.caseReason !== ticket.caseReason) await act({ type: 'set-case-reason', caseReason: v.caseReason }, 'case reason set');
        await act({ type: 'escalate', reason: v.reason ?? '', ...(v.tier ? { tier: v.tier } : {}), details: detailsOf(v) }, 'escalated');
      }}
    />
  );
}

interface FieldSpec {
  name: string;
  label: string;
  multiline?: boolean;
  options?: (readonly [string, string])[];
  value?: string;
  ref?: { current: HTMLTextAreaElement | null };
}

/**
 * One action as a form: labelled fields, the API's error next to the field it names (else under
 * the button), the button busy while the request runs.
 */
function ActionForm({
  name,
  title,
  submit,
  intro,
  fields,
  run,
  onValues,
}: {
  name: string;
  title: string;
  submit: string;
  intro?: string;
  fields: FieldSpec[];
  run: (values: Record<string, string>) => Promise<void>;
  onValues?: (values: Record<string, string>) => void;
}) {
  const initial = () => Object.fromEntries(fields.map((field) => [field.name, field.value ?? '']));
  const [values, setValuesState] = useState<Record<string, string>>(initial);
  const setValues = (next: Record<string, string>) => {
    setValuesState(next);
    onValues?.(next);
  };
  const [error, setError] = useState<ApiError | Error>();
  const [busy, setBusy] = useState(false);
  const fieldNames = new Set(fields.map((field) => field.name));
  const fieldError = error instanceof ApiError && error.field && fieldNames.has(error.field) ? error.field : undefined;
  const idOf = (field: string) => `${name}-${field.replace(/\W/g, '-')}`;
  const titleId = `${name}-title`;

  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await run(values);
      setValues(initial());
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class={`action ${name}`} aria-labelledby={titleId} onSubmit={onSubmit} noValidate>
      <h3 id={titleId}>{title}</h3>
      {intro && <p class="muted">{intro}</p>}
      {fields.map((field) => {
        const id = idOf(field.name);
        const errorId = `${id}-error`;
        const common = {
          id,
          name: field.name,
          value: values[field.name] ?? '',
          'aria-invalid': fieldError === field.name ? true : undefined,
          'aria-describedby': fieldError === field.name ? errorId : undefined,
        };
        return (
          <div class="field" key={field.name}>
            <label for={id}>{field.label}</label>
            {field.options ? (
              <select {...common} onChange={(e) => setValues({ ...values, [field.name]: e.currentTarget.value })}>
                {field.options.map(([value, text]) => (
                  <option key={value} value={value}>
                    {text}
                  </option>
                ))}
              </select>
            ) : field.multiline ? (
              <textarea {...common} ref={field.ref} rows={3} maxLength={20000} onInput={(e) => setValues({ ...values, [field.name]: e.currentTarget.value })} />
            ) : (
              <input {...common} type="text" maxLength={500} onInput={(e) => setValues({ ...values, [field.name]: e.currentTarget.value })} />
            )}
            <FieldError id={errorId} message={fieldError === field.name ? error?.message : undefined} />
          </div>
        );
      })}
      <button type="submit" disabled={busy} aria-disabled={busy}>
        {submit}
      </button>
      {error && !fieldError && (
        <p class="field-error" role="alert">
          {error.message}
        </p>
      )}
    </form>
  );
}

function AssignForm({ me, act }: { me: Me; act: (body: ActionBody, done: string) => Promise<void> }) {
  const people = me.people.filter((person) => !me.partnerId || person.partner === me.partnerId);
  const options: [string, string][] = [['', 'Nobody (unassign)'], ...people.map((person): [string, string] => [person.id, person.name])];
  return (
    <>
      <ActionForm name="assign-me" title="Assign" submit="Assign to me" fields={[]} run={() => act({ type: 'assign', assignee: me.assigneeIds[0] ?? null }, 'assigned to you')} />
      <ActionForm
        name="assign"
        title="Assign to someone"
        submit="Assign"
        fields={[people.length ? { name: 'assignee', label: 'Assignee', options } : { name: 'assignee', label: 'Assignee (person id or email)' }]}
        run={(v) => act({ type: 'assign', assignee: v.assignee || null }, v.assignee ? `assigned to ${v.assignee}` : 'unassigned')}
      />
    </>
  );
}

function Editor({ post, textareaRef }: { post: (kind: MessageKind, body: string) => Promise<void>; textareaRef: { current: HTMLTextAreaElement | null } }) {
  const [body, setBody] = useState('');
  const [error, setError] = useState<ApiError | Error>();
  const [busy, setBusy] = useState(false);
  const send = async (kind: MessageKind) => {
    setBusy(true);
    setError(undefined);
    try {
      await post(kind, body);
      setBody('');
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  };
  const onBody = error instanceof ApiError && error.field === 'body';
  return (
    <section aria-labelledby="reply-title" class="editor">
      <h2 id="reply-title">Reply or internal note</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void send('agent-reply');
        }}
        noValidate
      >
        <label for="reply-body">Message</label>
        <textarea
          id="reply-body"
          ref={textareaRef}
          rows={6}
          maxLength={100000}
          value={body}
          aria-invalid={onBody ? true : undefined}
          aria-describedby={onBody ? 'reply-body-error' : 'reply-hint'}
          onInput={(event) => setBody(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
              event.preventDefault();
              void send('agent-reply');
            }
          }}
        />
        <p id="reply-hint" class="muted">
          A reply is mailed to the requester; an internal note is seen by staff only. Ctrl+Enter sends the reply.
        </p>
        <FieldError id="reply-body-error" message={onBody ? error?.message : undefined} />
        <div class="buttons">
          <button type="submit" class="primary" disabled={busy}>
            Send reply
          </button>
          <button type="button" disabled={busy} onClick={() => void send('internal-note')}>
            Add internal note
          </button>
        </div>
        {error && !onBody && (
          <p class="field-error" role="alert">
            {error.message}
          </p>
        )}
      </form>
    </section>
  );
}
