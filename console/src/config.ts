/**
 * Runtime settings, read from config.json next to index.html (the local gateway generates it;
 * in AWS the stack writes it to the bucket), so one build serves every stage.
 */
export interface ConsoleConfig {
  /** The API's base URL, e.g. "http://127.0.0.1:3000" or "https://api.example.com". */
  apiUrl: string;
  oidc: { issuer: string; clientId: string; scopes?: string };
  stage?: string;
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch(new URL('config.json', document.baseURI), { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json answered ${response.status}`);
  const config = (await response.json()) as Partial<ConsoleConfig>;
  if (typeof config.apiUrl !== 'string' || typeof config.oidc?.issuer !== 'string' || typeof config.oidc.clientId !== 'string') {
    throw new Error('config.json needs apiUrl, oidc.issuer and oidc.clientId');
  }
  return config as ConsoleConfig;
}
