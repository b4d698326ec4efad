import { CookieJar, csrfTokenIn } from '../test/helpers/cookie-jar.js';

/** A signed-in bench client: the cookie header to send and the page's CSRF token. */
export interface SignedIn {
  username: string;
  cookie: string;
  csrf: string;
}

/**
 * Signs in the way a browser does: the sign-in form sets its token cookie and
 * carries the token in `_csrf`; the post sets the session cookie; the first
 * signed-in page carries the session's CSRF token in `<meta name="csrf-token">`.
 */
export async function signInOverHttp(
  baseUrl: string,
  username: string,
  password: string,
): Promise<SignedIn> {
  const form = await fetch(`${baseUrl}/sign-in`);
  const jar = new CookieJar();
  jar.take(form.headers.getSetCookie());
  const formToken = csrfTokenIn(await form.text());
  if (!formToken) throw new Error('the sign-in page carries no _csrf field');

  const posted = await fetch(`${baseUrl}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: new URLSearchParams({ _csrf: formToken, username, password }).toString(),
  });
  await posted.arrayBuffer();
  if (posted.status !== 303) {
    throw new Error(`signing in as ${username} answered ${posted.status}, not 303`);
  }
  jar.take(posted.headers.getSetCookie());

  const cookie = jar.header();
  const home = await fetch(`${baseUrl}/`, { headers: { cookie }, redirect: 'manual' });
  const csrf = csrfTokenIn(await home.text());
  if (home.status !== 200 || !csrf) {
    throw new Error(
      `after signing in as ${username}, / answered ${home.status} without a CSRF token`,
    );
  }
  return { username, cookie, csrf };
}

/** True while the session still opens a signed-in page (it has not timed out). */
export async function stillSignedIn(baseUrl: string, client: SignedIn): Promise<boolean> {
  const response = await fetch(`${baseUrl}/`, {
    headers: { cookie: client.cookie },
    redirect: 'manual',
  });
  await response.arrayBuffer();
  return response.status === 200;
}
