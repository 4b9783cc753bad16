/**
 * The maximum of every value a caller can send, in one place: the API's and the webhooks'
 * schemas, inbound mail and the rules read these, docs/limits.md lists them, and
 * test/limits.test.ts proves that a ticket item and each timeline event fit DynamoDB's item
 * (400 KB) whatever sequence of valid requests built them.
 *
 * Text limits count characters as JavaScript (and zod's `.max`) counts them: UTF-16 code
 * units. One unit is at most 3 bytes of UTF-8 (a character outside the BMP is two units and
 * four bytes), so the byte budget below multiplies by 3.
 */

/** DynamoDB's own limits (bytes). */
export const DYNAMODB = {
  itemBytes: 400 * 1024,
  partitionKeyBytes: 2048,
  sortKeyBytes: 1024,
} as const;

/** At most this many UTF-8 bytes per character as `.length` counts them. */
export const MAX_BYTES_PER_CHAR = 3;

export const LIMITS = {
  // ---- identifiers (ASCII; they become parts of keys) ----
  /** A customer id (`PUT /customers/{id}`), an engineer id, an order id. */
  id: 64,
  /** A path segment before it is even looked at (anything longer is 404/400 at once). */
  pathSegment: 256,
  /** An Idempotency-Key or a webhook event id (visible ASCII). */
  idempotencyKey: 255,
  /** A pagination cursor as the API hands it out. */
  cursor: 1024,
  /** Any one request header value the API reads. */
  header: 4096,
  /** A query string parameter value. */
  queryValue: 256,
  /** An email address (RFC 5321's path limit). */
  email: 254,
  /** A phone number as written (normalised to at most 16 characters). */
  phone: 40,
  /** A Message-ID as a key; a longer one is hashed first (core/mail/message-id.ts). */
  messageIdKey: 250,

  // ---- names and short text ----
  name: 200,
  subject: 300,
  /** Severity and case-reason ids or names, product, component. */
  label: 200,
  /** The agent a ticket is assigned to (an agent id or key name). */
  assignee: 100,
  /** The reason given with an escalation, reopen, close, customer escalation. */
  reason: 5_000,

  // ---- long text ----
  /** A ticket's description (on the ticket item; a mail or delivery beyond it is cut, the original kept). */
  description: 40_000,
  /** A message body: customer message, agent reply, internal note (each its own timeline item). */
  messageBody: 100_000,
  /** The resolution text (on the ticket item and in its "resolved" event). */
  resolution: 20_000,
  /** Each of the tier details (steps to reproduce, action plan, symptoms, diagnostic data). */
  detail: 6_000,

  // ---- things that grow on a ticket item ----
  /** Pause spans kept on a ticket (older spans no running objective needs are dropped). */
  pauses: 100,
  /** Escalations a dedicated period's ticket records. */
  periodEscalations: 50,
  /** Unsent notifications a ticket keeps (core/notifications/outbox.ts). */
  outbox: 50,

  // ---- inbound mail ----
  /** In-Reply-To / References ids looked up for threading: the newest. */
  threadReferences: 20,
  /** Attachments listed on a mail event. */
  attachments: 20,
  /** An attachment's file name as listed. */
  filename: 200,
  /** Problems noted while reading a mail, each cut to `mailProblem`. */
  mailProblems: 20,
  /** An SMTP diagnostic kept from an SES bounce notification (core/mail/feedback.ts). */
  feedbackDiagnostic: 1_000,
  /** Recipients read from one SES bounce or complaint (SES sends to at most 50 per message). */
  feedbackRecipients: 50,
  /** One such problem (or an attachment's skip reason) as kept on the ticket or event. */
  mailProblem: 200,
  /** An attachment's content type as listed (type/subtype, parameters dropped). */
  contentType: 100,
  /** An S3 object key kept on a ticket or event (raw mail, an attachment). */
  objectKey: 512,
  /** A URL kept from a delivery (a call recording). */
  url: 2048,

  // ---- customer records, engineers, support orders ----
  /** Contacts of one customer. */
  contacts: 100,
  /** Designated users listed on one customer (the plan's limit decides how many count). */
  designatedUsers: 100,
  /** Email domains of one customer. */
  emailDomains: 50,
  /** Phone numbers of one customer. */
  phoneNumbers: 50,
  /** Add-ons of one customer. */
  addOns: 20,
  /** An engineer's listed skills. */
  skills: 50,
  /** An engineer's availability windows. */
  availability: 500,
  /** A support order's notes. */
  notes: 5_000,

  // ---- the staff directory (core/staff/directory.ts) ----
  /** People in the directory (all are read at once to resolve a mail's recipients). */
  staffPeople: 500,
  /** Teams in the directory. */
  staffTeams: 100,
  /** Partner organisations in the directory (read with it; each one's agents and customers name it). */
  staffPartners: 50,
  /** Members of one team. */
  teamMembers: 100,
  /** Tier ids one team works. */
  teamTiers: 20,

  // ---- full-text search (core/tickets/search.ts, docs/inbox.md) ----
  /** Words in one search (`GET /tickets?q=`): their postings are intersected. */
  searchWords: 3,
  /** Distinct search tokens indexed per ticket (one posting item each, written with the ticket). */
  searchTokensPerTicket: 48,
  /** Characters of a ticket's description that are indexed for search (from its start). */
  searchDescriptionChars: 2_000,
  /** One search token (longer ones are cut, the same way when indexing and searching). */
  searchTokenChars: 64,
  /** Postings one search request reads at most before answering with a cursor to go on. */
  searchScan: 1_000,
} as const;

export type LimitName = keyof typeof LIMITS;

/** Worst-case UTF-8 bytes of a text of at most `chars` characters. */
export function worstCaseBytes(chars: number): number {
  return chars * MAX_BYTES_PER_CHAR;
}

/** Exact UTF-8 bytes of a text. */
export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** `text` cut to at most `max` characters without splitting a surrogate pair. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]!) ? max - 1 : max;
  return text.slice(0, end);
}

/** The message a text over its limit gets (the API prefixes the field: "description: at most 40000 characters"). */
export function atMostChars(max: number): string {
  return `at most ${max} characters`;
}

/** The message a list over its limit gets. */
export function atMostItems(max: number): string {
  return `at most ${max} items`;
}
