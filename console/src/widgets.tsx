/** Small shared pieces: SLA badges (state in words and a symbol, not colour alone) and field errors. */

import type { DeskPolicy, Ticket } from './api/types';
import { badges, SYMBOL } from './sla';

export function SlaBadges({ ticket, now, desk }: { ticket: Ticket; now: number; desk?: DeskPolicy | undefined }) {
  const list = badges(ticket, now, desk);
  if (list.length === 0) return <span class="muted">no running clock</span>;
  return (
    <ul class="badges">
      {list.map((badge) => (
        <li key={badge.key} class={`badge ${badge.state}`}>
          <span aria-hidden="true">{SYMBOL[badge.state]} </span>
          {badge.label}: {badge.text}
          {badge.wallClock ? ' (clock time)' : ''}
          {badge.state === 'warning' ? ' (warning)' : ''}
        </li>
      ))}
    </ul>
  );
}

/** The API's message for one field, tied to its control by id (aria-describedby). */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p id={id} class="field-error" role="alert">
      {message}
    </p>
  ) : null;
}
