// The session as the page sees it: a warning a minute before the idle timeout,
// and when the session ends, the page blanks what it showed and keeps what was
// typed in its own memory (never in browser storage, never on the server) until
// the same person signs in again in a small window; then it comes back, and a
// save that met the ended session is sent again.
(() => {
  const meta = (name) => document.querySelector(`meta[name="${name}"]`);
  const channel = 'BroadcastChannel' in window ? new BroadcastChannel('hushdesk-session') : null;

  // The page the sign-in window lands on tells the waiting pages, then closes.
  document.addEventListener('DOMContentLoaded', () => {
    if (!document.querySelector('[data-signed-in]')) return;
    channel?.postMessage('signed-in');
    if (window.opener) setTimeout(() => window.close(), 1500);
  });

  const idleSeconds = Number(meta('session-idle-seconds')?.content);
  const person = meta('session-person')?.content;
  if (!idleSeconds || !person) return;
  const WARN_SECONDS = 60;
  let timer = 0;
  let ended = null; // what the page kept while signed out
  let warning = null;
  let endedDialog = null;

  // Asked in the background: reading the session never keeps it alive.
  const readSession = async () => {
    try {
      const response = await fetch('/session', {
        headers: { 'HX-Request': 'true', 'hd-background': '1', Accept: 'application/json' },
      });
      return response.ok ? response.json() : null;
    } catch {
      return undefined; // the server did not answer; try again later
    }
  };

  const schedule = (secondsLeft) => {
    clearTimeout(timer);
    timer = setTimeout(check, Math.max(0, secondsLeft - WARN_SECONDS) * 1000);
  };

  const check = async () => {
    if (ended) return;
    const session = await readSession();
    if (session === undefined) return schedule(WARN_SECONDS + 30);
    if (!session || String(session.staffId) !== person) return end(null);
    // Another tab may have kept it alive.
    if (session.secondsLeft > WARN_SECONDS + 5) return schedule(session.secondsLeft);
    if (session.secondsLeft <= 0) return end(null);
    showWarning(session.secondsLeft);
    clearTimeout(timer);
    timer = setTimeout(check, (session.secondsLeft + 1) * 1000);
  };

  const button = (text, className, onClick) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    if (className) b.className = className;
    b.addEventListener('click', onClick);
    return b;
  };

  const makeDialog = (id, heading) => {
    const dialog = document.createElement('dialog');
    dialog.id = id;
    dialog.className = 'session-dialog';
    dialog.setAttribute('aria-labelledby', `${id}-heading`);
    const h2 = document.createElement('h2');
    h2.id = `${id}-heading`;
    h2.textContent = heading;
    const text = document.createElement('p');
    const actions = document.createElement('div');
    actions.className = 'actions';
    dialog.append(h2, text, actions);
    document.body.append(dialog);
    return { dialog, text, actions };
  };

  const showWarning = (secondsLeft) => {
    if (!warning) {
      warning = makeDialog('session-warning', 'Still there?');
      warning.actions.append(button('Stay signed in', 'primary', stay));
    }
    const minutes = Math.max(1, Math.round(secondsLeft / 60));
    warning.text.textContent = `For your clients’ privacy, hushdesk signs you out after ${Math.round(idleSeconds / 60)} minutes without a save or a new page. You will be signed out in about ${minutes === 1 ? 'a minute' : `${minutes} minutes`}. What you have typed is kept either way.`;
    if (!warning.dialog.open) warning.dialog.showModal();
  };

  // A real request: it counts as activity, as any save or page would.
  const stay = async () => {
    const response = await fetch('/session/keep-alive', {
      method: 'POST',
      headers: { 'X-CSRF-Token': meta('csrf-token')?.content ?? '', 'HX-Request': 'true' },
    }).catch(() => null);
    warning?.dialog.close();
    if (!response?.ok) return end(null);
    schedule((await response.json()).secondsLeft);
  };

  // Every request the person makes through the page counts as activity.
  document.addEventListener('htmx:after:request', () => {
    if (!ended) schedule(idleSeconds);
  });

  // A request that meets an ended session does not leave the page: the page
  // keeps the work and asks the person to sign in again.
  document.addEventListener('htmx:before:response', (event) => {
    const ctx = event.detail?.ctx;
    if (ctx?.response?.status !== 401) return;
    event.preventDefault();
    // Only a form's own submission is sent again: a request from inside a form
    // (the ticket window's look for similar titles) must never save that form.
    const source = ctx.sourceElement;
    const form = source instanceof HTMLFormElement ? source : null;
    end(form && ctx.request?.method !== 'GET' ? form : null);
  });

  const end = (retry) => {
    clearTimeout(timer);
    if (warning?.dialog.open) warning.dialog.close();
    if (ended) {
      ended.retry ||= retry;
      return;
    }
    // Off the screen and out of the page: the ticket, its description, any client detail.
    const main = document.getElementById('main');
    const slot = document.getElementById('dialog-slot');
    const openDialogs = [...(slot?.querySelectorAll('dialog[open]') ?? [])];
    for (const dialog of openDialogs) {
      dialog.setAttribute('data-kept', '');
      dialog.close();
    }
    const keep = (element) => {
      const kept = document.createDocumentFragment();
      if (element) kept.append(...element.childNodes);
      return kept;
    };
    ended = { main: keep(main), slot: keep(slot), openDialogs, retry };
    showEnded();
  };

  const showEnded = () => {
    if (!endedDialog) {
      endedDialog = makeDialog('session-ended', 'Your session ended');
      endedDialog.dialog.addEventListener('cancel', (event) => event.preventDefault());
      const status = document.createElement('p');
      status.className = 'hint';
      status.setAttribute('role', 'status');
      endedDialog.dialog.insertBefore(status, endedDialog.actions);
      endedDialog.status = status;
      endedDialog.actions.append(button('Sign in again', 'primary', openSignIn));
    }
    const name = document.querySelector('header .person')?.textContent?.trim() || 'yourself';
    endedDialog.text.textContent = `The page is hidden to keep client information private. What you typed is kept on this page only, not saved anywhere, until you sign in again as ${name}.`;
    endedDialog.status.textContent = '';
    if (!endedDialog.dialog.open) endedDialog.dialog.showModal();
  };

  const openSignIn = () => {
    const opened = window.open(
      '/sign-in?next=%2Fsession%2Fsigned-in',
      'hushdesk-sign-in',
      'popup,width=520,height=680',
    );
    endedDialog.status.textContent = opened
      ? 'Sign in in the window that opened; this page carries on by itself.'
      : 'The browser blocked the sign-in window. Allow pop-ups for hushdesk and press Sign in again.';
  };

  const restore = async () => {
    if (!ended) return;
    const session = await readSession();
    if (!session) return;
    if (String(session.staffId) !== person) {
      // Someone else signed in: what this page held was not theirs to see.
      ended = null;
      location.assign('/');
      return;
    }
    const kept = ended;
    ended = null;
    meta('csrf-token')?.setAttribute('content', session.csrfToken);
    for (const fragment of [kept.main, kept.slot]) {
      for (const field of fragment.querySelectorAll('input[name="_csrf"]')) {
        field.value = session.csrfToken;
      }
    }
    endedDialog?.dialog.close();
    document.getElementById('main')?.append(kept.main);
    document.getElementById('dialog-slot')?.append(kept.slot);
    for (const dialog of kept.openDialogs) {
      dialog.removeAttribute('data-kept');
      dialog.showModal();
    }
    schedule(session.secondsLeft);
    if (kept.retry?.isConnected) kept.retry.requestSubmit();
  };

  channel?.addEventListener('message', (event) => {
    if (event.data === 'signed-in') restore();
  });
  // Without BroadcastChannel, or signed in from another tab: look when the person comes back.
  window.addEventListener('focus', () => {
    if (ended) restore();
  });

  schedule(idleSeconds);
})();
