/** A parsed inbound mail as core/mail's rules take it, for unit tests of those rules. */
import type { InboundMail } from '../../core/mail/parse';

/** A plain person's mail; tests override what they examine. */
export function personMail(overrides: Partial<InboundMail> = {}): InboundMail {
  return {
    references: [],
    from: { address: 'ana@acme.example', name: 'Ana' },
    replyTo: [],
    to: [{ address: 'support@vendor.example', name: '' }],
    cc: [],
    subject: 'Export fails',
    text: 'The export fails.',
    attachments: [],
    headers: { xLoop: [] },
    problems: [],
    ...overrides,
  };
}
