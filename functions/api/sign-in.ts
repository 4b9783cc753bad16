/**
 * Sign-in tokens: the ID token of the console's app client (Cognito in AWS, the local OpenID
 * Connect provider under `npm start`, or any OIDC issuer: docs/sign-in.md), verified here with
 * aws-jwt-verify against the issuer's published keys, then mapped to a Principal by
 * core/access/identity.ts with the staff directory. One code path for every issuer.
 *
 * Settings (read on each request, so a changed environment is seen at once; verifiers are kept
 * per setting): TIERDESK_OIDC_ISSUER, TIERDESK_OIDC_AUDIENCE (the app client id; several
 * comma-separated), optional TIERDESK_OIDC_JWKS_URI (default `<issuer>/.well-known/jwks.json`,
 * as Cognito publishes it), and the claim names of core/access/identity.ts.
 */
import { JwtVerifier } from 'aws-jwt-verify';
import { FetchError, JwksValidationError, JwtBaseError, JwtExpiredError, JwtInvalidAudienceError, JwtNotBeforeError, NonRetryableFetchError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { claimNamesFrom, IdentityError, principalFromClaims } from '../../core/access/identity';
import type { Principal } from '../../core/access/principal';
import { HttpError } from '../shared/http';
import type { Runtime } from '../shared/runtime';
import { staffDirectory } from '../shared/staff-directory';

/** Three base64url segments: a JWS in compact form. Anything else is not a sign-in token. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

const INVALID = { 'www-authenticate': 'Bearer error="invalid_token"' };

function invalidToken(message: string): HttpError {
  return new HttpError(401, message, { field: 'Authorization' }, INVALID);
}

/** The signed-in person behind a verified ID token; 401 for a token we cannot trust, 403 for a person we do not know. */
export async function principalFromToken(token: string, rt: Pick<Runtime, 'store'>, env: Record<string, string | undefined> = process.env): Promise<Principal> {
  const issuer = env.TIERDESK_OIDC_ISSUER;
  const audience = env.TIERDESK_OIDC_AUDIENCE?.split(',')
    .map((value) => value.trim())
    .filter(Boolean);
  if (!issuer || !audience?.length) throw invalidToken('sign-in is not configured on this desk (TIERDESK_OIDC_ISSUER, TIERDESK_OIDC_AUDIENCE): send an API key');
  // Refused before any key is fetched: a foreign token never makes us call the issuer.
  const claimedIssuer = unverifiedIssuer(token);
  if (claimedIssuer !== issuer) throw invalidToken("the token is not from this desk's sign-in issuer");
  let claims: Record<string, unknown>;
  try {
    claims = (await verifierFor(issuer, audience, env.TIERDESK_OIDC_JWKS_URI).verify(token)) as Record<string, unknown>;
  } catch (error) {
    throw tokenRefusal(error);
  }
  try {
    return principalFromClaims(claims, await staffDirectory(rt), claimNamesFrom(env));
  } catch (error) {
    if (error instanceof IdentityError) throw new HttpError(403, error.message);
    throw error;
  }
}

function unverifiedIssuer(token: string): unknown {
  try {
    return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { iss?: unknown }).iss;
  } catch {
    throw invalidToken('the token is not a JSON Web Token');
  }
}

/** An ID token says `token_use: id` at Cognito; an access token sent instead is refused by name. */
class WrongTokenUse extends Error {}

function tokenRefusal(error: unknown): HttpError {
  if (error instanceof JwtExpiredError) return invalidToken('the token has expired: sign in again or refresh it');
  if (error instanceof JwtNotBeforeError) return invalidToken('the token is not valid yet');
  if (error instanceof JwtInvalidAudienceError) return invalidToken('the token was issued to another app (audience)');
  if (error instanceof WrongTokenUse) return invalidToken(error.message);
  // The issuer's keys could not be had: not the caller's fault, and worth a retry.
  if (error instanceof FetchError || error instanceof JwksValidationError) {
    return new HttpError(503, "the sign-in issuer's signing keys could not be fetched; retry shortly", {}, { 'retry-after': '5' });
  }
  if (error instanceof JwtBaseError) return invalidToken('the token does not verify (signature, key or claims)');
  return error instanceof HttpError ? error : invalidToken('the token does not verify');
}

/** What this module needs of a verifier (the library's generics spell out far more). */
interface TokenVerifier {
  verify(token: string): Promise<unknown>;
}

const verifiers = new Map<string, TokenVerifier>();

function verifierFor(issuer: string, audience: string[], jwksUri: string | undefined): TokenVerifier {
  const key = JSON.stringify([issuer, audience, jwksUri]);
  let verifier = verifiers.get(key);
  if (!verifier) {
    verifier = JwtVerifier.create(
      {
        issuer,
        audience,
        ...(jwksUri ? { jwksUri } : {}),
        customJwtCheck: ({ payload }) => {
          if (payload.token_use !== undefined && payload.token_use !== 'id') throw new WrongTokenUse(`send the ID token, not the ${String(payload.token_use).slice(0, 20)} token`);
        },
      },
      { jwksCache: new SimpleJwksCache({ fetcher: new JwksFetcher() }) },
    ) as TokenVerifier;
    if (verifiers.size > 10) verifiers.clear();
    verifiers.set(key, verifier);
  }
  return verifier;
}

/** At most this many bytes of JWKS are read; a key set is a few KB. */
const MAX_JWKS_BYTES = 256 * 1024;
const JWKS_TIMEOUT_MS = 3_000;

/**
 * The library's own fetcher speaks https only; this one uses fetch, so the local provider's
 * http://127.0.0.1 issuer works too. It is the same request for Cognito's https issuer.
 */
class JwksFetcher implements Fetcher {
  async fetch(uri: string): Promise<ArrayBuffer> {
    let response: Response;
    try {
      response = await fetch(uri, { signal: AbortSignal.timeout(JWKS_TIMEOUT_MS), redirect: 'error' });
    } catch (error) {
      throw new FetchError(uri, (error as Error).message);
    }
    if (response.status !== 200) throw new NonRetryableFetchError(uri, `status ${response.status}, expected 200`);
    const body = await response.arrayBuffer();
    if (body.byteLength > MAX_JWKS_BYTES) throw new NonRetryableFetchError(uri, `a key set larger than ${MAX_JWKS_BYTES} bytes`);
    return body;
  }
}
