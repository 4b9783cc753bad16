/**
 * Webhook authentication (core/webhooks/signatures.ts) and caller numbers (core/webhooks/phone.ts).
 * Twilio signatures are made by the twilio library itself, so the verifier is checked against the
 * vendor's implementation rather than against a copy of it.
 */
import { createHash, createHmac } from 'node:crypto';
import querystring from 'node:querystring';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { toE164 } from '../core/webhooks/phone';
import {
  constantTimeEqual,
  parseTierdeskHeader,
  publicUrl,
  signTierdeskPayload,
  signTwilioRequest,
  signZendeskPayload,
  standardWebhookKey,
  twilioBodyHash,
  verifyCtiRequest,
  verifyStandardWebhook,
  verifyTierdeskSignature,
  verifyTwilioSignature,
  verifyUrlToken,
  verifyZendeskSignature,
} from '../core/webhooks/signatures';

const { getExpectedTwilioSignature, validateRequest, validateRequestWithBody } = twilio;

const NOW = 1_795_000_000; // 2026-11-18T11:06:40Z, any fixed instant
const SECRET = 'whsec_current_0123456789';
const OLD_SECRET = 'whsec_previous_9876543210';
const BODY = '{"event":"ticket.created","id":"T-1","subject":"Grüße"}';

describe('tierdesk signatures', () => {
  it('accepts a delivery signed with the secret, with the body as a string or as bytes', () => {
    // Arrange
    const header = signTierdeskPayload(SECRET, BODY, NOW);

    // Act & Assess
    expect(header).toMatch(/^t=1795000000,v1=[0-9a-f]{64}$/);
    expect(verifyTierdeskSignature({ header, rawBody: BODY, secrets: [SECRET], nowSeconds: NOW })).toEqual({ ok: true });
    expect(verifyTierdeskSignature({ header, rawBody: Buffer.from(BODY), secrets: [SECRET], nowSeconds: NOW })).toEqual({ ok: true });
  });

  it('signs HMAC-SHA256 over "<t>.<raw body>", hex', () => {
    const expected = createHmac('sha256', SECRET).update(`${NOW}.${BODY}`).digest('hex');
    expect(signTierdeskPayload(SECRET, BODY, NOW)).toBe(`t=${NOW},v1=${expected}`);
  });

  it('signs the exact bytes: a body that is not valid UTF-8 verifies only as the same bytes', () => {
    // Arrange
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const header = signTierdeskPayload(SECRET, bytes, NOW);

    // Act & Assess
    expect(verifyTierdeskSignature({ header, rawBody: bytes, secrets: [SECRET], nowSeconds: NOW }).ok).toBe(true);
    expect(verifyTierdeskSignature({ header, rawBody: bytes.toString('utf8'), secrets: [SECRET], nowSeconds: NOW })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('rejects a tampered body, a wrong secret and a changed timestamp', () => {
    const header = signTierdeskPayload(SECRET, BODY, NOW);
    const mismatch = { ok: false, reason: 'mismatch' };

    expect(verifyTierdeskSignature({ header, rawBody: BODY.replace('T-1', 'T-2'), secrets: [SECRET], nowSeconds: NOW })).toEqual(mismatch);
    expect(verifyTierdeskSignature({ header, rawBody: `${BODY} `, secrets: [SECRET], nowSeconds: NOW })).toEqual(mismatch);
    expect(verifyTierdeskSignature({ header, rawBody: BODY, secrets: ['another-secret'], nowSeconds: NOW })).toEqual(mismatch);
    const moved = header.replace(`t=${NOW}`, `t=${NOW + 1}`);
    expect(verifyTierdeskSignature({ header: moved, rawBody: BODY, secrets: [SECRET], nowSeconds: NOW })).toEqual(mismatch);
  });

  it('accepts old and new secrets while rotating, and a header carrying both signatures', () => {
    // Arrange
    const byOld = signTierdeskPayload(OLD_SECRET, BODY, NOW);
    const byNew = signTierdeskPayload(SECRET, BODY, NOW);
    const both = `${byNew},v1=${byOld.split('v1=')[1]}`;
    const secrets = [SECRET, OLD_SECRET];

    // Act & Assess
    expect(verifyTierdeskSignature({ header: byOld, rawBody: BODY, secrets, nowSeconds: NOW }).ok).toBe(true);
    expect(verifyTierdeskSignature({ header: byNew, rawBody: BODY, secrets, nowSeconds: NOW }).ok).toBe(true);
    expect(verifyTierdeskSignature({ header: both, rawBody: BODY, secrets: [SECRET], nowSeconds: NOW }).ok).toBe(true);
    expect(verifyTierdeskSignature({ header: both, rawBody: BODY, secrets: [OLD_SECRET], nowSeconds: NOW }).ok).toBe(true);
    expect(verifyTierdeskSignature({ header: both, rawBody: BODY, secrets: ['retired'], nowSeconds: NOW }).ok).toBe(false);
    // A future scheme the receiver does not know yet is ignored, not an error.
    expect(verifyTierdeskSignature({ header: `${byNew},v2=abc`, rawBody: BODY, secrets, nowSeconds: NOW }).ok).toBe(true);
  });

  it('rejects replays outside the window in both directions, inclusive at the edge', () => {
    const header = signTierdeskPayload(SECRET, BODY, NOW);
    const at = (nowSeconds: number, toleranceSeconds?: number) => verifyTierdeskSignature({ header, rawBody: BODY, secrets: [SECRET], nowSeconds, toleranceSeconds });

    expect(at(NOW + 300)).toEqual({ ok: true });
    expect(at(NOW - 300)).toEqual({ ok: true });
    expect(at(NOW + 301)).toEqual({ ok: false, reason: 'expired' });
    expect(at(NOW - 301)).toEqual({ ok: false, reason: 'expired' });
    expect(at(NOW + 86_400)).toEqual({ ok: false, reason: 'expired' });
    expect(at(NOW + 30, 10)).toEqual({ ok: false, reason: 'expired' });
    expect(at(NOW + 30, 60)).toEqual({ ok: true });
    // A clock or configuration that is not a number fails closed.
    expect(at(Number.NaN)).toEqual({ ok: false, reason: 'expired' });
    expect(at(NOW, Number.NaN)).toEqual({ ok: false, reason: 'expired' });
  });

  it('reports a missing header and malformed ones', () => {
    const v1 = signTierdeskPayload(SECRET, BODY, NOW).split(',')[1];
    const verify = (header: string | undefined) => verifyTierdeskSignature({ header, rawBody: BODY, secrets: [SECRET], nowSeconds: NOW });

    expect(verify(undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(verify('')).toEqual({ ok: false, reason: 'missing' });
    expect(verify('   ')).toEqual({ ok: false, reason: 'missing' });
    for (const header of [
      'garbage',
      `${v1}`, // no t
      `t=${NOW}`, // no v1
      `t=${NOW},t=${NOW},${v1}`, // two t
      `t=-5,${v1}`,
      `t=1e9,${v1}`,
      `t=${NOW},v1=abc`, // short hex
      `t=${NOW},v1=${'z'.repeat(64)}`,
      `t=${NOW},${v1},`, // empty element
      `t=${NOW},${Array.from({ length: 9 }, () => v1).join(',')}`, // too many signatures
      `t=${NOW},${v1},x`.repeat(2000),
    ]) {
      expect(verify(header), header.slice(0, 80)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('tolerates whitespace around elements and upper-case hex', () => {
    const [t, v1] = signTierdeskPayload(SECRET, BODY, NOW).split(',');
    const header = ` ${t} , v1=${v1!.slice(3).toUpperCase()} `;
    expect(parseTierdeskHeader(header)?.signatures).toHaveLength(1);
    expect(verifyTierdeskSignature({ header, rawBody: BODY, secrets: [SECRET], nowSeconds: NOW }).ok).toBe(true);
  });

  it('accepts nothing without a usable secret', () => {
    const header = createHmac('sha256', '').update(`${NOW}.${BODY}`).digest('hex');
    for (const secrets of [[], [''], undefined as unknown as string[]]) {
      expect(verifyTierdeskSignature({ header: `t=${NOW},v1=${header}`, rawBody: BODY, secrets, nowSeconds: NOW })).toEqual({
        ok: false,
        reason: 'mismatch',
      });
    }
  });

  it('never throws and never verifies arbitrary headers and bodies (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.constantFrom(undefined, null, 'missing'),
          // near-misses: well-formed headers with random signatures and times
          fc
            .tuple(fc.integer({ min: NOW - 1000, max: NOW + 1000 }), fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { minLength: 1, maxLength: 3 }))
            .map(([t, sigs]) => [`t=${t}`, ...sigs.map((s) => `v1=${Buffer.from(s).toString('hex')}`)].join(',')),
        ),
        fc.oneof(
          fc.string(),
          fc.uint8Array().map((bytes) => Buffer.from(bytes)),
        ),
        (header, rawBody) => {
          const result = verifyTierdeskSignature({ header: header as string, rawBody, secrets: [SECRET, OLD_SECRET], nowSeconds: NOW });
          expect(result.ok).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws on hostile argument types', () => {
    const hostile = [42, {}, [], Symbol('x'), () => 1, new Date(), null, undefined];
    for (const value of hostile) {
      const input = { header: value, rawBody: value, secrets: value, nowSeconds: value, toleranceSeconds: value };
      expect(verifyTierdeskSignature(input as never).ok).toBe(false);
      expect(verifyZendeskSignature({ ...input, signature: value, timestamp: value } as never).ok).toBe(false);
      expect(verifyTwilioSignature({ signature: value, url: value, params: value, rawBody: value, authTokens: value } as never).ok).toBe(false);
      expect(verifyUrlToken(value as never, value as never).ok).toBe(false);
    }
  });
});

describe('Zendesk signatures', () => {
  const timestamp = new Date(NOW * 1000).toISOString().replace('.000Z', 'Z');
  const signature = signZendeskPayload(SECRET, BODY, timestamp);
  const verify = (overrides: Partial<Parameters<typeof verifyZendeskSignature>[0]>) =>
    verifyZendeskSignature({ signature, timestamp, rawBody: BODY, secrets: [SECRET], nowSeconds: NOW, ...overrides });

  it('signs base64 HMAC-SHA256 over timestamp + body, no separator, as Zendesk documents', () => {
    const expected = createHmac('sha256', SECRET)
      .update(timestamp + BODY)
      .digest('base64');
    expect(timestamp).toBe('2026-11-18T11:06:40Z');
    expect(signature).toBe(expected);
  });

  it('accepts a valid delivery, a rotated secret and a body-less request', () => {
    expect(verify({})).toEqual({ ok: true });
    expect(verify({ rawBody: Buffer.from(BODY) })).toEqual({ ok: true });
    expect(verify({ secrets: [OLD_SECRET, SECRET] })).toEqual({ ok: true });
    expect(verify({ signature: signZendeskPayload(SECRET, '', timestamp), rawBody: '' })).toEqual({ ok: true });
  });

  it('rejects tampered bodies, other secrets, changed timestamps and stale deliveries', () => {
    expect(verify({ rawBody: BODY.replace('T-1', 'T-9') })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify({ secrets: [OLD_SECRET] })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify({ timestamp: '2026-11-18T11:06:41Z' })).toEqual({ ok: false, reason: 'mismatch' });
    // the same instant written differently is a different signed string
    expect(verify({ timestamp: '2026-11-18T11:06:40.000Z' })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify({ nowSeconds: NOW + 301 })).toEqual({ ok: false, reason: 'expired' });
    expect(verify({ nowSeconds: NOW - 301 })).toEqual({ ok: false, reason: 'expired' });
    expect(verify({ nowSeconds: NOW + 100, toleranceSeconds: 60 })).toEqual({ ok: false, reason: 'expired' });
  });

  it('reads ISO-8601 instants with offsets and fractions', () => {
    const withOffset = '2026-11-18T12:06:40+01:00';
    expect(verify({ timestamp: withOffset, signature: signZendeskPayload(SECRET, BODY, withOffset) })).toEqual({ ok: true });
    const withFraction = '2026-11-18T11:06:40.123Z';
    expect(verify({ timestamp: withFraction, signature: signZendeskPayload(SECRET, BODY, withFraction) })).toEqual({ ok: true });
  });

  it('reports missing and malformed headers', () => {
    expect(verify({ signature: undefined })).toEqual({ ok: false, reason: 'missing' });
    expect(verify({ timestamp: '' })).toEqual({ ok: false, reason: 'missing' });
    for (const bad of ['1795000000', '2026-11-18', '2026-11-18T07:06:40', 'yesterday', '2026-13-45T99:99:99Z']) {
      expect(verify({ timestamp: bad, signature: signZendeskPayload(SECRET, BODY, bad) }), bad).toEqual({ ok: false, reason: 'malformed' });
    }
    for (const bad of ['abc', signature.slice(1), `${signature}=`, Buffer.from(signature, 'base64').toString('hex'), `${signature.slice(0, -1)}!`]) {
      expect(verify({ signature: bad }), bad).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('never throws and never verifies arbitrary input (property)', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.oneof(
          fc.string(),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        ),
        fc.string(),
        (sig, ts, body) => {
          expect(verifyZendeskSignature({ signature: sig, timestamp: ts, rawBody: body, secrets: [SECRET], nowSeconds: NOW }).ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('Standard Webhooks (signed by the standardwebhooks package)', () => {
  const KEY = Buffer.from('tierdesk-standard-webhooks-test-key-32b');
  const WHSEC = `whsec_${KEY.toString('base64')}`;
  const OTHER = `whsec_${Buffer.from('another key, another sender, 32!').toString('base64')}`;
  const ID = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
  /** The three headers as the package's Webhook.sign makes them. */
  const signed = (secret = WHSEC, id = ID, at = NOW, body: string | Uint8Array = BODY) => ({
    id,
    timestamp: String(at),
    signature: new Webhook(secret).sign(id, new Date(at * 1000), body),
  });
  const verify = (headers: { id?: string; timestamp?: string; signature?: string }, changes: Partial<Parameters<typeof verifyStandardWebhook>[0]> = {}) =>
    verifyStandardWebhook({ id: headers.id, timestamp: headers.timestamp, signature: headers.signature, rawBody: BODY, secrets: [WHSEC], nowSeconds: NOW, ...changes });

  it('accepts what Webhook.sign signs, over id.timestamp.body, with or without the whsec_ prefix, body as text or bytes', () => {
    const headers = signed();

    expect(headers.signature).toBe(`v1,${createHmac('sha256', KEY).update(`${ID}.${NOW}.${BODY}`).digest('base64')}`);
    expect(verify(headers)).toEqual({ ok: true });
    expect(verify(headers, { rawBody: Buffer.from(BODY) })).toEqual({ ok: true });
    expect(verify(headers, { secrets: [KEY.toString('base64')] })).toEqual({ ok: true });
  });

  it('the id and the timestamp are signed: changing either, the body, or the secret is a mismatch', () => {
    const headers = signed();

    expect(verify({ ...headers, id: 'msg_other' })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify({ ...headers, timestamp: String(NOW + 1) })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify(headers, { rawBody: BODY.replace('T-1', 'T-2') })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify(headers, { secrets: [OTHER] })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('rotates: several secrets, and several space-separated signatures (other versions skipped)', () => {
    const byOther = signed(OTHER);
    const both = `v1a,${Buffer.alloc(64).toString('base64')} ${byOther.signature} ${signed().signature}`;

    expect(verify(byOther, { secrets: [WHSEC, OTHER] })).toEqual({ ok: true });
    expect(verify({ ...byOther, signature: both })).toEqual({ ok: true });
  });

  it('refuses timestamps outside the tolerance, missing headers and malformed ones', () => {
    expect(verify(signed(WHSEC, ID, NOW - 301))).toEqual({ ok: false, reason: 'expired' });
    expect(verify(signed(WHSEC, ID, NOW + 301))).toEqual({ ok: false, reason: 'expired' });
    expect(verify(signed(WHSEC, ID, NOW - 300))).toEqual({ ok: true });
    expect(verify(signed(WHSEC, ID, NOW - 100), { toleranceSeconds: 60 })).toEqual({ ok: false, reason: 'expired' });
    const headers = signed();
    for (const missing of ['id', 'timestamp', 'signature'] as const) expect(verify({ ...headers, [missing]: undefined })).toEqual({ ok: false, reason: 'missing' });
    for (const [field, value] of [
      ['timestamp', '12ab'],
      ['timestamp', `${NOW}.5`],
      ['signature', 'v1'],
      ['signature', 'v1,not-base64!'],
      ['signature', headers.signature.slice(0, -4)],
      ['signature', `v1a,${Buffer.alloc(64).toString('base64')}`],
      ['signature', Array(9).fill(headers.signature).join(' ')],
    ]) {
      expect(verify({ ...headers, [field!]: value }), `${field}: ${value}`).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('reads secrets as the package does: whsec_ and padded standard base64, or nothing', () => {
    expect(standardWebhookKey(WHSEC)).toEqual(KEY);
    expect(standardWebhookKey(KEY.toString('base64'))).toEqual(KEY);
    for (const unusable of ['', 'whsec_', 'whsec_abc', 'whsec_ab-_', 'whsec_ab==cd==']) {
      expect(standardWebhookKey(unusable), unusable).toBeUndefined();
      expect(() => new Webhook(unusable).sign(ID, new Date(), BODY), unusable).toThrow();
    }
  });

  it("agrees with the package's own verify on genuine and tampered deliveries (property)", () => {
    const realNow = Math.floor(Date.now() / 1000); // the package reads the clock itself
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.stringMatching(/^[\x21-\x7e]{1,40}$/),
        fc.uint8Array({ maxLength: 200 }),
        fc.integer({ min: -400, max: 400 }),
        fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
        (key, id, bodyBytes, skew, tamper) => {
          const secret = `whsec_${Buffer.from(key).toString('base64')}`;
          const at = realNow + skew;
          const body = Buffer.from(bodyBytes);
          const headers = { 'webhook-id': id, 'webhook-timestamp': String(at), 'webhook-signature': new Webhook(secret).sign(id, new Date(at * 1000), body) };
          if (tamper === 0) headers['webhook-id'] = `${id}x`;
          if (tamper === 1) headers['webhook-timestamp'] = String(at + 1);
          const received = tamper === 2 ? Buffer.concat([body, Buffer.from('x')]) : body;
          let packageAccepts = true;
          try {
            new Webhook(secret).verify(received, headers, { jsonParse: false });
          } catch {
            packageAccepts = false;
          }
          const ours = verifyStandardWebhook({
            id: headers['webhook-id'],
            timestamp: headers['webhook-timestamp'],
            signature: headers['webhook-signature'],
            rawBody: received,
            secrets: [secret],
            nowSeconds: realNow,
          });
          // Within a second of the edge the two clocks may disagree; elsewhere the answers are the same.
          if (Math.abs(Math.abs(skew) - 300) > 1) expect(ours.ok).toBe(packageAccepts);
          expect(ours.ok).toBe(tamper === undefined && Math.abs(skew) <= 300);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws and never verifies arbitrary input (property)', () => {
    const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom(undefined, null, '', String(NOW)));
    fc.assert(
      fc.property(
        text,
        text,
        fc.oneof(
          text,
          fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `v1,${Buffer.from(b).toString('base64')}`),
        ),
        fc.string(),
        (id, timestamp, signature, body) => {
          expect(verifyStandardWebhook({ id, timestamp, signature, rawBody: body, secrets: [WHSEC], nowSeconds: NOW } as never).ok).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
    for (const value of [42, {}, [], Symbol('x'), () => 1, null, undefined]) {
      expect(verifyStandardWebhook({ id: value, timestamp: value, signature: value, rawBody: value, secrets: value, nowSeconds: value } as never).ok).toBe(false);
    }
  });
});

describe('Twilio signatures', () => {
  const token = '12345';
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params = {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+12349013030',
    Digits: '1234',
    From: '+12349013030',
    To: '+18005551212',
  };

  it('matches the example: auth token 12345, the myapp.php URL and the five call parameters', () => {
    // The value the twilio library computes (and an independent implementation agrees with).
    // "GvWf1cFY/Q7PnoempGyD5oXAezc=", remembered from the docs, is not what the library signs.
    expect(getExpectedTwilioSignature(token, url, params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
    expect(signTwilioRequest(token, url, params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
    expect(verifyTwilioSignature({ signature: '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', url, params, authTokens: [token] })).toEqual({ ok: true });
    expect(verifyTwilioSignature({ signature: 'GvWf1cFY/Q7PnoempGyD5oXAezc=', url, params, authTokens: [token] })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(validateRequest(token, 'GvWf1cFY/Q7PnoempGyD5oXAezc=', url, params)).toBe(false);
  });

  it("matches the twilio library's own test vectors (the long-documented +14158675309 example)", () => {
    const classic = { ...params, Caller: '+14158675309', From: '+14158675309' };
    const cases: Array<[string, string, Record<string, string | string[]>]> = [
      ['RSOYDt4T1cUTdK1PDd93/VVr8B8=', url, classic],
      ['RSOYDt4T1cUTdK1PDd93/VVr8B8=', url.replace('.com', '.com:1234'), classic], // any port stripped
      ['kvajT1Ptam85bY51eRf/AJRuM3w=', url, classic], // signed with :443 written out
      ['0ZXoZLH/DfblKGATFgpif+LLRf4=', url.replace('https', 'http'), classic], // signed with :80
      ['CukzLTc1tT5dXEDIHm/tKBanW10=', 'https://user:pass@mycompany.com/myapp.php?foo=1&bar=2', classic],
      ['dsq4Ehbj6cs+KdTkpF5sSSplOWw=', `${url}&Body=It's+amazing`, classic],
      ['83O6e2vORAoJHUNzJjDWN1jz+BA=', url, { 'MessagingBinding.Address': ['+1415xxxxxxx', '+1325xxxxxxx'] }],
      ['IK+Dwps556ElfBT0I3Rgjkr1wJU=', url, { Sid: 'CA123', SidAccount: 'AC123', Digits: ['5678', '1234', '1234'] }],
    ];
    for (const [signature, requestUrl, requestParams] of cases) {
      expect(verifyTwilioSignature({ signature, url: requestUrl, params: requestParams, authTokens: [token] }), signature).toEqual({ ok: true });
    }
  });

  it('accepts form deliveries signed by the twilio library and rejects tampered params and URLs', () => {
    // Arrange
    const signature = getExpectedTwilioSignature(token, url, params);
    const verify = (overrides: Partial<Parameters<typeof verifyTwilioSignature>[0]>) => verifyTwilioSignature({ signature, url, params, authTokens: [token], ...overrides });

    // Act & Assess
    expect(verify({})).toEqual({ ok: true });
    expect(verify({ params: { ...params, Digits: '1235' } })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify({ params: { ...params, Extra: '' } })).toEqual({ ok: false, reason: 'mismatch' });
    const { To: _dropped, ...fewer } = params;
    expect(verify({ params: fewer })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify({ url: url.replace('foo=1', 'foo=2') })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify({ url: url.replace('mycompany', 'evil') })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify({ url: url.replace('https', 'http') })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify({ authTokens: ['54321'] })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify({ authTokens: ['54321', token] })).toEqual({ ok: true }); // secondary token while rotating
    expect(verify({ signature: undefined })).toEqual({ ok: false, reason: 'missing' });
    expect(verify({ signature: 'not base64!' })).toEqual({ ok: false, reason: 'malformed' });
    expect(verify({ url: '/myapp.php?foo=1&bar=2' })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('tries the URL with and without the standard port, as the library does', () => {
    for (const [signedUrl, requestUrl] of [
      ['https://mycompany.com:443/myapp.php?foo=1', 'https://mycompany.com/myapp.php?foo=1'],
      ['https://mycompany.com/myapp.php?foo=1', 'https://mycompany.com:443/myapp.php?foo=1'],
      ['http://mycompany.com:80/hook', 'http://mycompany.com/hook'],
      ['http://mycompany.com/hook', 'http://mycompany.com:80/hook'],
    ] as const) {
      const signature = getExpectedTwilioSignature(token, signedUrl, params);
      expect(validateRequest(token, signature, requestUrl, params), signedUrl).toBe(true);
      expect(verifyTwilioSignature({ signature, url: requestUrl, params, authTokens: [token] }), signedUrl).toEqual({ ok: true });
    }
    // https is not signed with :80
    const wrongPort = getExpectedTwilioSignature(token, 'https://mycompany.com:80/hook', params);
    expect(verifyTwilioSignature({ signature: wrongPort, url: 'https://mycompany.com/hook', params, authTokens: [token] }).ok).toBe(false);
  });

  it('treats repeated parameters as the library does (distinct values, sorted)', () => {
    const repeated = { To: '+18005551212', MediaUrl: ['https://b.example/2', 'https://a.example/1', 'https://b.example/2'] };
    const signature = getExpectedTwilioSignature(token, url, repeated);
    expect(verifyTwilioSignature({ signature, url, params: repeated, authTokens: [token] })).toEqual({ ok: true });
    const reordered = { To: '+18005551212', MediaUrl: ['https://a.example/1', 'https://b.example/2'] };
    expect(verifyTwilioSignature({ signature, url, params: reordered, authTokens: [token] })).toEqual({ ok: true });
    expect(verifyTwilioSignature({ signature, url, params: { ...reordered, MediaUrl: ['https://a.example/1'] }, authTokens: [token] }).ok).toBe(false);
  });

  it('accepts JSON deliveries (bodySHA256) signed by the library and rejects tampered bodies and URLs', () => {
    // Arrange: the library's own vector, then a fresh one
    const libraryBody = '{"property": "value", "boolean": true}';
    const libraryUrl = `${url}&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620`;
    expect(verifyTwilioSignature({ signature: 'a9nBmqA0ju/hNViExpshrM61xv4=', url: libraryUrl, rawBody: libraryBody, authTokens: [token] })).toEqual({ ok: true });

    const body = JSON.stringify({ EventType: 'onMessageAdded', Body: 'Hallo 👋', Author: '+491701234567' });
    expect(twilioBodyHash(body)).toBe(createHash('sha256').update(body).digest('hex'));
    const jsonUrl = `https://desk.example.com/webhooks/twilio?bodySHA256=${twilioBodyHash(body)}`;
    const signature = getExpectedTwilioSignature(token, jsonUrl, {});
    expect(validateRequestWithBody(token, signature, jsonUrl, body)).toBe(true);
    const verify = (overrides: Partial<Parameters<typeof verifyTwilioSignature>[0]>) => verifyTwilioSignature({ signature, url: jsonUrl, rawBody: body, authTokens: [token], ...overrides });

    // Act & Assess
    expect(verify({})).toEqual({ ok: true });
    expect(verify({ rawBody: Buffer.from(body) })).toEqual({ ok: true });
    expect(verify({ url: jsonUrl.replace('desk.example.com', 'desk.example.com:443') })).toEqual({ ok: true });
    expect(verify({ params: { Body: 'ignored for JSON deliveries' } })).toEqual({ ok: true });
    expect(verify({ rawBody: body.replace('Hallo', 'Hello') })).toEqual({ ok: false, reason: 'mismatch' });
    // a body swapped together with its hash: the URL no longer matches the signature
    const other = '{"EventType":"onMessageRemoved"}';
    expect(verify({ rawBody: other, url: `https://desk.example.com/webhooks/twilio?bodySHA256=${twilioBodyHash(other)}` })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verify({ url: jsonUrl.replace('/twilio', '/twilio2') })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verify({ rawBody: undefined })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('agrees with validateRequest on URL variants, special characters and encodings (property)', () => {
    const pathChars = fc.constantFrom('a', 'B', '1', '-', '_', '.', '~', "'", '!', '(', '*', '%20', '%27', ' ', 'é', '+', '$', '%zz', '%2B', '=');
    const segment = fc.array(pathChars, { minLength: 1, maxLength: 6 }).map((chars) => chars.join(''));
    const requestUrl = fc
      .tuple(
        fc.constantFrom('https://', 'http://'),
        fc.constantFrom('desk.example.com', 'desk.example.com:443', 'desk.example.com:80', 'desk.example.com:8443', 'user:pw@desk.example.com'),
        fc.array(segment, { minLength: 1, maxLength: 3 }),
        fc.array(fc.tuple(segment, segment), { maxLength: 3 }),
      )
      .map(([scheme, host, path, query]) => `${scheme}${host}/${path.join('/')}${query.length ? `?${query.map(([k, v]) => `${k}=${v}`).join('&')}` : ''}`);
    const formParams = fc.dictionary(
      fc.constantFrom('Body', 'From', 'To', 'MediaUrl0', 'SmsSid', 'a', 'A'),
      fc.oneof(fc.string({ maxLength: 8 }), fc.array(fc.string({ maxLength: 4 }), { minLength: 1, maxLength: 3 })),
    );

    fc.assert(
      fc.property(requestUrl, fc.nat(6), formParams, (url, variant, form) => {
        // Twilio signed one of the forms the library accepts; derive it from what was received.
        let normalised = url;
        try {
          normalised = new URL(url).toString();
        } catch {
          // keep as received
        }
        const q = normalised.indexOf('?');
        const legacy = q === -1 ? normalised : `${normalised.slice(0, q)}?${querystring.stringify(querystring.parse(normalised.slice(q + 1)))}`;
        const signedUrl = [url, url.replace(/:(443|80|8443)\//, '/'), normalised, normalised.replace(/'/g, '%27'), url.replace(/\+/g, '%20'), legacy, url][variant]!;
        const signature = getExpectedTwilioSignature(token, signedUrl, form);
        let expected: boolean;
        try {
          expected = validateRequest(token, signature, url, form);
        } catch {
          expected = false;
        }
        expect(verifyTwilioSignature({ signature, url, params: form, authTokens: [token] }).ok).toBe(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('accepts the legacy-querystring form the library falls back to (regressions found by the property)', () => {
    for (const [received, signed] of [
      ['https://desk.example.com/a?a=a&1=a', 'https://desk.example.com/a?1=a&a=a'], // integer-like keys first
      ["https://desk.example.com/a?Body=It's+fine&x=%zz", "https://desk.example.com/a?Body=It's%20fine&x=%25zz"],
      ['https://desk.example.com/a?b=1&c=2&b=3', 'https://desk.example.com/a?b=1&b=3&c=2'], // repeated keys grouped
    ] as const) {
      const signature = getExpectedTwilioSignature(token, signed, params);
      expect(validateRequest(token, signature, received, params), received).toBe(true);
      expect(verifyTwilioSignature({ signature, url: received, params, authTokens: [token] }), received).toEqual({ ok: true });
    }
  });

  it('never throws and never verifies arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.dictionary(fc.string(), fc.string()), fc.option(fc.string()), (signature, path, form, rawBody) => {
        const result = verifyTwilioSignature({
          signature,
          url: `https://desk.example.com/${path}`,
          params: form,
          rawBody: rawBody ?? undefined,
          authTokens: [token],
        });
        expect(result.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('rebuilds the public URL Twilio called from the configured base and the received path', () => {
    expect(publicUrl('https://desk.example.com', '/webhooks/twilio?x=1')).toBe('https://desk.example.com/webhooks/twilio?x=1');
    expect(publicUrl('https://desk.example.com/', '/webhooks/twilio')).toBe('https://desk.example.com/webhooks/twilio');
    expect(publicUrl('https://desk.example.com/prod/', 'webhooks/twilio')).toBe('https://desk.example.com/prod/webhooks/twilio');
    expect(publicUrl('https://desk.example.com', '?a=b')).toBe('https://desk.example.com?a=b');
    expect(publicUrl('https://desk.example.com', 'http://10.0.0.7:3000/webhooks/twilio?Body=It%27s')).toBe('https://desk.example.com/webhooks/twilio?Body=It%27s');

    // a proxy terminated TLS and changed the host: verify against the public form
    const signedUrl = 'https://desk.example.com/webhooks/twilio?channel=sms';
    const signature = getExpectedTwilioSignature(token, signedUrl, params);
    const received = 'http://internal-lb:8080/webhooks/twilio?channel=sms';
    expect(verifyTwilioSignature({ signature, url: received, params, authTokens: [token] }).ok).toBe(false);
    const rebuilt = publicUrl('https://desk.example.com', '/webhooks/twilio?channel=sms');
    expect(verifyTwilioSignature({ signature, url: rebuilt, params, authTokens: [token] })).toEqual({ ok: true });
  });
});

describe('URL tokens (Zammad generic CTI)', () => {
  const token = 'c0ffee5a1t-9f8e7d6c5b4a';

  it('accepts a configured token and rejects others', () => {
    expect(verifyUrlToken(token, [token])).toEqual({ ok: true });
    expect(verifyUrlToken(token, ['old-token', token])).toEqual({ ok: true });
    expect(verifyUrlToken(`${token}x`, [token])).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyUrlToken(token.slice(0, -1), [token])).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyUrlToken(token.toUpperCase(), [token])).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyUrlToken('', [token])).toEqual({ ok: false, reason: 'missing' });
    expect(verifyUrlToken(undefined, [token])).toEqual({ ok: false, reason: 'missing' });
    expect(verifyUrlToken('anything', [])).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyUrlToken('anything', [''])).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('compares strings of any length without throwing', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(constantTimeEqual(a, b)).toBe(a === b);
      }),
    );
    expect(constantTimeEqual('x'.repeat(10_000), 'x'.repeat(10_000))).toBe(true);
  });

  it('adds the tierdesk signature as a second factor when secrets are configured', () => {
    const body = 'event=newCall&from=493055571600&to=491711234567890&direction=in&callId=4711';
    const header = signTierdeskPayload(SECRET, body, NOW);
    const base = { token, expectedTokens: [token], rawBody: body, nowSeconds: NOW };

    expect(verifyCtiRequest(base)).toEqual({ ok: true });
    expect(verifyCtiRequest({ ...base, secrets: [SECRET], signatureHeader: header })).toEqual({ ok: true });
    expect(verifyCtiRequest({ ...base, secrets: [SECRET] })).toEqual({ ok: false, reason: 'missing' });
    expect(verifyCtiRequest({ ...base, secrets: [SECRET], signatureHeader: header, rawBody: `${body}&x=1` })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifyCtiRequest({ ...base, token: 'wrong', secrets: [SECRET], signatureHeader: header })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyCtiRequest({ ...base, secrets: [SECRET], signatureHeader: header, nowSeconds: NOW + 1000 })).toEqual({ ok: false, reason: 'expired' });
  });
});

describe('toE164', () => {
  it('reads international numbers in any common notation', () => {
    expect(toE164('+12349013030')).toBe('+12349013030');
    expect(toE164('+1 (800) 555-1212')).toBe('+18005551212');
    expect(toE164('+49 (0)30 1234567')).toBe('+49301234567');
    expect(toE164('0049 30 1234567')).toBe('+49301234567');
    expect(toE164('tel:+44-20-7946-0958')).toBe('+442079460958');
  });

  it('reads national numbers with a default country, including ones already carrying the country code', () => {
    expect(toE164('030 1234567', 'DE')).toBe('+49301234567');
    expect(toE164('02214710334', 'de')).toBe('+492214710334');
    expect(toE164('493055571600', 'DE')).toBe('+493055571600'); // Zammad CTI style
    expect(toE164('(415) 867-5309', 'US')).toBe('+14158675309');
  });

  it('gives undefined for what is not a phone number or cannot be placed', () => {
    for (const [raw, country] of [
      ['anonymous', 'DE'],
      ['client:alice', undefined],
      ['sip:alice@example.com', undefined],
      ['030 1234567', undefined], // national without a country
      ['030 1234567', 'XX'], // unknown country
      ['+1234', undefined],
      ['1234', 'US'],
      ['+49 30 1234567890123456', undefined],
      ['', 'DE'],
      ['+'.repeat(100), undefined],
    ] as const) {
      expect(toE164(raw, country), `${raw} ${country}`).toBeUndefined();
    }
  });

  it('never throws (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.option(fc.string({ maxLength: 3 })), (raw, country) => {
        const result = toE164(raw, country ?? undefined);
        if (result !== undefined) expect(result).toMatch(/^\+[1-9]\d{1,14}$/);
      }),
    );
  });
});
