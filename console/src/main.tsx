/** The console's entry: runtime settings, sign-in, then the app. */
import { render } from 'preact';
import { App } from './app';
import { Auth } from './auth';
import { loadConfig } from './config';
import './styles.css';

const root = document.getElementById('app')!;
// render() leaves what is already in the element: index.html's "Loading…" placeholder goes first.
const show = (app: Parameters<typeof render>[0]) => {
  root.replaceChildren();
  render(app, root);
};

try {
  const config = await loadConfig();
  const auth = new Auth(config);
  let signInError: string | undefined;
  await auth.start().catch((error: Error) => {
    signInError = error.message;
  });
  show(<App config={config} auth={auth} {...(signInError ? { signInError } : {})} />);
} catch (error) {
  show(
    <main>
      <h1>tierdesk console</h1>
      <p role="alert">The console could not start: {(error as Error).message}</p>
    </main>,
  );
}
