/** Where mail lives in the mail bucket, in AWS (lib/email/inbound-email.ts) and locally (local/s3.ts). */
/** Raw received messages, one object per mail, named by SES's id (SES's S3 action prefix). */
export const INBOUND_PREFIX = 'inbound/';
/** Attachments taken out of those messages, under `<SES id>/`. */
export const ATTACHMENT_PREFIX = 'attachments/';
