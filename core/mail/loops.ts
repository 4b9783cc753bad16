/**
 * Telling automated mail (auto-replies, bounces, list traffic, our own mail coming back) from a
 * person's, so the desk never answers a robot and two auto-responders never mail each other
 * forever. The rules follow RFC 3834 (Auto-Submitted), RFC 3464 (delivery status reports) and the
 * headers the common mail servers set.
 */
import { cutText, LIMITS } from '../limits';
import type { InboundMail } from './parse';

/**
 * What the receiving server saw of the SMTP transaction. `from` is the MAIL FROM reverse path
 * (SES's `mail.source`): '' (or `<>`) for a null reverse path, undefined when not known.
 */
export interface MailEnvelope {
  from?: string;
}

type Check = (mail: InboundMail, ownAddresses: Set<string>, envelope: MailEnvelope) => string | undefined;

/** Mailboxes that only machines write from. A `+tag` is ignored. */
const SYSTEM_LOCAL_PARTS = new Set(['mailer-daemon', 'postmaster', 'noreply', 'no-reply', 'no_reply', 'donotreply', 'do-not-reply', 'do_not_reply']);

const BULK_PRECEDENCE = new Set(['bulk', 'junk', 'list', 'auto_reply']);

/**
 * Exchange sets these on its own auto-replies (out-of-office replies carry `All`). The other
 * values (DR, NDR, RN, NRN) only ask for no receipts, which a person's mail may do too.
 */
const AUTO_REPLY_SUPPRESSIONS = new Set(['all', 'oof', 'autoreply']);

/**
 * Why this mail looks automated, e.g. "Auto-Submitted: auto-replied"; undefined for a person's
 * mail. The reason quotes header values, so it is cut to LIMITS.reason.
 */
export function automatedMailReason(mail: InboundMail, ownAddresses: string[], envelope: MailEnvelope = {}): string | undefined {
  const own = new Set(ownAddresses.map((address) => address.trim().toLowerCase()));
  for (const check of CHECKS) {
    const reason = check(mail, own, envelope);
    if (reason) return cutText(reason, LIMITS.reason);
  }
  return undefined;
}

/** True when the envelope's reverse path is null (`MAIL FROM:<>`). */
export function hasNullReversePath(envelope: MailEnvelope): boolean {
  return envelope.from !== undefined && ['', '<>'].includes(envelope.from.replace(/\s/g, ''));
}

const fromOwnAddress: Check = (mail, own) => (mail.from && own.has(mail.from.address) ? `sent from tierdesk's own address ${mail.from.address}` : undefined);

/** RFC 3834: anything but `no` (parameters after `;` aside) is automatic. */
const autoSubmitted: Check = ({ headers }) => {
  const value = headers.autoSubmitted;
  return value !== undefined && firstToken(value) !== 'no' ? `Auto-Submitted: ${value}` : undefined;
};

const xLoop: Check = ({ headers }) => (headers.xLoop.length > 0 ? `X-Loop: ${headers.xLoop[0]}` : undefined);

const autoResponseSuppress: Check = ({ headers }) => {
  const value = headers.xAutoResponseSuppress;
  if (value === undefined) return undefined;
  const tokens = value.toLowerCase().split(/[\s,]+/);
  return tokens.some((token) => AUTO_REPLY_SUPPRESSIONS.has(token)) ? `X-Auto-Response-Suppress: ${value}` : undefined;
};

const autoreplyHeaders: Check = ({ headers }) => {
  if (headers.xAutoreply !== undefined) return `X-Autoreply: ${headers.xAutoreply}`;
  if (headers.xAutorespond !== undefined) return `X-Autorespond: ${headers.xAutorespond}`;
  return undefined;
};

/** Delivery status notifications and read receipts are both multipart/report. */
const report: Check = ({ headers }) => (headers.contentType === 'multipart/report' ? `multipart/report (${headers.reportType ?? 'no report-type'})` : undefined);

/**
 * A null reverse path is how bounces and other notifications are sent (RFC 5321 4.5.5), and
 * RFC 3834 asks that mail with one is never answered automatically: the envelope says so, and
 * so does the Return-Path the receiving server writes from it.
 */
const nullReversePath: Check = (_mail, _own, envelope) => (hasNullReversePath(envelope) ? 'null reverse path (MAIL FROM:<>)' : undefined);

const nullReturnPath: Check = ({ headers }) => (headers.returnPath !== undefined && headers.returnPath.replace(/\s/g, '') === '<>' ? 'Return-Path: <> (null sender)' : undefined);

const systemSender: Check = ({ from }) => {
  const localPart = from?.address.split('@')[0]?.split('+')[0];
  return localPart && SYSTEM_LOCAL_PARTS.has(localPart) ? `sent from a system mailbox (${from?.address})` : undefined;
};

const precedence: Check = ({ headers }) => {
  const value = headers.precedence;
  return value !== undefined && BULK_PRECEDENCE.has(firstToken(value)) ? `Precedence: ${value}` : undefined;
};

const listMail: Check = ({ headers }) => {
  if (headers.listId !== undefined) return `List-Id: ${headers.listId}`;
  if (headers.listUnsubscribe !== undefined) return `List-Unsubscribe: ${headers.listUnsubscribe}`;
  return undefined;
};

/** Most specific first, so the reason names the strongest evidence. */
const CHECKS: Check[] = [fromOwnAddress, autoSubmitted, xLoop, report, autoreplyHeaders, autoResponseSuppress, nullReversePath, nullReturnPath, systemSender, precedence, listMail];

function firstToken(value: string): string {
  return value.split(';')[0]?.trim().toLowerCase() ?? '';
}
