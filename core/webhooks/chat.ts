/**
 * A chat tool's transcript (the chat integration's delivery): who took part, what was said,
 * when. It opens a chat ticket, or — for a conversation already on a ticket — becomes the
 * customer's message there. Pure.
 */
import * as z from 'zod/mini';
import { cutText, LIMITS } from '../limits';
import { intakeSeverity } from '../mail/ticket-mail';
import type { Policy } from '../policy/schema';
import '../zod-english';

/** A chat tool's id (conversation, participant): text or a number, bounded (the conversation's becomes part of keys). */
const chatId = z.pipe(z.pipe(z.union([z.string(), z.number()]), z.transform(String)), z.string().check(z.minLength(1), z.maxLength(LIMITS.idempotencyKey)));
/** One chat message; a transcript has at most 2,000, and the whole body is bounded by the integration's maxBodyBytes. */
const MESSAGE_CHARS = 20_000;

const TranscriptShape = z.object({
  conversationId: chatId,
  participants: z
    .array(
      z.object({
        id: chatId,
        role: z.enum(['customer', 'agent', 'bot']),
        name: z.optional(z.string().check(z.maxLength(LIMITS.name))),
        email: z.optional(
          z.pipe(
            z.pipe(z.string().check(z.maxLength(LIMITS.email)), z.email()),
            z.transform((email) => email.toLowerCase()),
          ),
        ),
        phone: z.optional(z.string().check(z.maxLength(LIMITS.phone))),
      }),
    )
    .check(z.minLength(1), z.maxLength(50)),
  messages: z.array(z.object({ from: chatId, text: z.string().check(z.maxLength(MESSAGE_CHARS)), at: z.iso.datetime({ offset: true }) })).check(z.minLength(1), z.maxLength(2_000)),
  subject: z.optional(z.string().check(z.maxLength(LIMITS.subject))),
});

export const TranscriptSchema = TranscriptShape.check(
  z.refine((t: z.output<typeof TranscriptShape>) => t.participants.some((p) => p.role === 'customer'), { message: 'a transcript needs a participant with role "customer"', path: ['participants'] }),
  z.refine((t: z.output<typeof TranscriptShape>) => t.messages.every((m) => t.participants.some((p) => p.id === m.from)), {
    message: 'every message must come from a listed participant',
    path: ['messages'],
  }),
);
export type Transcript = z.output<typeof TranscriptSchema>;

/** The whole transcript as text, one line per message: "[2026-11-23 10:01 UTC] Ana (customer): …". */
export function transcriptText(transcript: Transcript): string {
  const byId = new Map(transcript.participants.map((p) => [p.id, p]));
  return transcript.messages
    .map((message) => {
      const who = byId.get(message.from)!;
      const when = new Date(message.at).toISOString().slice(0, 16).replace('T', ' ');
      return `[${when} UTC] ${who.name ?? who.id} (${who.role}): ${message.text}`;
    })
    .join('\n');
}

/**
 * `text` within `max` characters: as it is, or its beginning with a note saying it was cut and by
 * how much (the chat tool keeps the whole conversation). A transcript is never refused for length.
 */
export function transcriptWithin(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = (kept: number) => `\n\n[Transcript cut: the first ${kept.toLocaleString('en-US')} of ${text.length.toLocaleString('en-US')} characters; the chat tool has the whole conversation.]`;
  // The note's own length depends on the count it states; sizing it for `max` is enough (kept < max).
  const kept = cutText(text, max - note(max).length);
  return kept + note(kept.length);
}

export function ticketFieldsFromTranscript(transcript: Transcript, policy: Policy) {
  const customer = transcript.participants.find((p) => p.role === 'customer')!;
  const firstWords =
    transcript.messages
      .find((m) => m.from === customer.id)
      ?.text.trim()
      .split('\n')[0] ?? 'Chat';
  return {
    requester: {
      ...(customer.email ? { email: customer.email } : {}),
      ...(customer.name ? { name: customer.name } : {}),
      ...(customer.phone ? { phone: customer.phone } : {}),
    },
    subject: cutText(transcript.subject ?? `Chat: ${firstWords}`, LIMITS.subject) || 'Chat',
    // On the ticket item: at most LIMITS.description, cut with a note.
    description: transcriptWithin(transcriptText(transcript), LIMITS.description),
    severity: intakeSeverity(policy),
  };
}

/** More of a conversation already on a ticket: the customer's message there, at most LIMITS.messageBody. */
export function transcriptMessage(transcript: Transcript): string {
  return transcriptWithin(transcriptText(transcript), LIMITS.messageBody);
}
