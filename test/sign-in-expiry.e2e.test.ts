/**
 * An expired ID token is refused (issue [10]): a runtime whose local provider issues ID tokens
 * that live one second. No timing assertion: the test waits until the token's own `exp` has
 * certainly passed, then asks. (Its own file: one runtime per process, and the other sign-in
 * tests need tokens that outlive a slow machine.)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, type Runtime, startTestRuntime } from './support/runtime';
import { decodeClaims, refresh, signIn, userWithGroup } from './support/sign-in';

let runtime: Runtime;

beforeAll(async () => {
  runtime = await startTestRuntime({ workflows: false, signIn: { idTokenTtlSeconds: 1 } });
});

afterAll(async () => {
  await runtime?.stop();
});

async function untilExpired(token: string): Promise<void> {
  const exp = decodeClaims(token).exp as number;
  // A second past `exp`, by this machine's clock (the API's): the token is expired beyond doubt.
  while (Date.now() < (exp + 1) * 1000 + 100) await sleep(Math.max(50, (exp + 1) * 1000 + 100 - Date.now()));
}

it('refuses an expired ID token with 401 invalid_token, and the refresh token still gets a new one', async () => {
  const user = userWithGroup(runtime, 'agent');
  const tokens = await signIn(runtime, user.username, user.password);
  expect(tokens.expiresIn).toBe(1);
  await untilExpired(tokens.idToken);

  const refused = await api(runtime)('GET', '/tickets', { key: tokens.idToken });
  expect(refused.status).toBe(401);
  expect(refused.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  expect(refused.body).toMatchObject({ message: expect.stringMatching(/expired/), field: 'Authorization' });

  // The refresh token outlives the ID token: a new ID token, for the same person, a later expiry.
  const renewed = await refresh(runtime, tokens.refreshToken);
  expect(renewed.claims.sub).toBe(tokens.claims.sub);
  expect(renewed.claims.exp as number).toBeGreaterThan(tokens.claims.exp as number);
});
