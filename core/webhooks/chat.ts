/**
 * A chat tool's transcript (the chat integration's delivery): who took part, what was said,
 * when. It opens a chat ticket, or — for a conversation already on a ticket — becomes the
 * customer's message there. Pure.
 */
import { z } from 'zod';
import type { Policy } from '../policy/schema';
import { intakeSeverity } from '../mail/ticket-mail';

export const TranscriptSchema = z
  .object({
    conversationId: z.union([z.string(), z.number()]).transform(String).pipe(z.string().min(1).max(200)),
    participants: z
      .array(
        z.object({
          id: z.union([z.string(), z.number()]).transform(String),
          role: z.enum(['customer', 'agent', 'bot']),
          name: z.string().max(200).optional(),
          email: z.email().transform((email) => email.toLowerCase()).optional(),
          phone: z.string().max(40).optional(),
        }),
      )
      .min(1)
      .max(50),
    messages: z
      .array(z.object({ from: z.union([z.string(), z.number()]).transform(String), text: z.string().max(20_000), at: z.iso.datetime({ offset: true }) }))
      .min(1)
      .max(2_000),
    subject: z.string().max(300).optional(),
  })
  .refine((t) => t.participants.some((p) => p.role === 'customer'), { message: 'a transcript needs a participant with role "customer"', path: ['participants'] })
  .refine((t) => t.messages.every((m) => t.participants.some((p) => p.id === m.from)), { message: 'every message must come from a listed participant', path: ['messages'] });
export type Transcript = z.output<typeof TranscriptSchema>;

/** The transcript as text, one line per message: "[2026-11-23 10:01 UTC] Ana (customer): …". */
export function transcriptText(transcript: Transcript): string {
  const byId = new Map(transcript.participants.map((p) => [p.id, p]));
  return transcript.messages
    .map((message) => {
      const who = byId.get(message.from)!;
      const when = new Date(message.at).toISOString().slice(0, 16).replace('T', ' ');
      return `[${when} UTC] ${who.name ?? who.id} (${who.role}): ${message.text}`;
    })
    .join('\n')
    .slice(0, 100_000);
}

export function ticketFieldsFromTranscript(transcript: Transcript, policy: Policy) {
  const customer = transcript.participants.find((p) => p.role === 'customer')!;
  const firstWords = transcript.messages.find((m) => m.from === customer.id)?.text.trim().split('\n')[0] ?? 'Chat';
  return {
    requester: {
      ...(customer.email ? { email: customer.email } : {}),
      ...(customer.name ? { name: customer.name } : {}),
      ...(customer.phone ? { phone: customer.phone } : {}),
    },
    subject: (transcript.subject ?? `Chat: ${firstWords}`).slice(0, 300) || 'Chat',
    description: transcriptText(transcript),
    severity: intakeSeverity(policy),
  };
}
