// hushdesk's general script (the staff picker has its own, staff-picker.js); both are
// served from 'self', so the CSP needs no inline script.
(() => {
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content;

  // Every htmx request carries the session's CSRF token as a header.
  document.addEventListener('htmx:config:request', (event) => {
    const token = csrf();
    const headers = event.detail?.ctx?.request?.headers;
    if (token && headers) headers['X-CSRF-Token'] = token;
  });

  // htmx 4 runs <script> tags in swapped content and has no switch for it; our
  // fragments never carry scripts, so any that arrive are dropped unread.
  document.addEventListener('htmx:before:swap', (event) => {
    for (const task of event.detail?.tasks ?? []) {
      for (const script of task.fragment?.querySelectorAll?.('script') ?? []) script.remove();
    }
  });

  // A fragment that holds <dialog data-open> opens it as a modal once swapped in.
  const openDialogs = (root) => {
    for (const dialog of root.querySelectorAll?.('dialog[data-open]') ?? []) {
      dialog.removeAttribute('data-open');
      if (!dialog.open) dialog.showModal();
      // The browser focuses the first thing it can (Close); a form's first field is where work starts.
      if (!dialog.querySelector('[autofocus]')) {
        dialog
          .querySelector(
            'form:not([method="dialog"]) :is(input:not([type="hidden"]), select, textarea)',
          )
          ?.focus();
      }
      // A dialog kept aside while a session ended (session.js) comes back later.
      dialog.addEventListener('close', () => {
        if (!dialog.hasAttribute('data-kept')) dialog.remove();
      });
    }
  };
  // A ticket saved from the dialog: the server says so, the dialog closes (focus
  // goes back to what opened it, the browser's own), and the list behind it and
  // its tab counts show the new ticket.
  document.addEventListener('hd:ticket-created', () => {
    for (const dialog of document.querySelectorAll('dialog[open]')) dialog.close();
    if (document.getElementById('ticket-list')) {
      window.htmx?.ajax('GET', location.pathname + location.search, {
        target: '#ticket-list',
        swap: 'outerHTML',
      });
    }
    refreshTabCounts();
  });
  const refreshTabCounts = async () => {
    const counts = [...document.querySelectorAll('.tabs .count')];
    if (counts.length === 0) return;
    const response = await fetch(location.pathname + location.search).catch(() => null);
    if (!response?.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
    const latest = [...fresh.querySelectorAll('.tabs .count')];
    if (latest.length !== counts.length) return;
    counts.forEach((count, i) => {
      count.textContent = latest[i].textContent;
      count.setAttribute('aria-label', latest[i].getAttribute('aria-label') ?? '');
    });
  };

  // A refused save: the first field in error takes focus (its message is read with
  // it), in the dialog on top or on the page. Otherwise, if the swap took away the
  // focused element, focus goes to the message the answer carries, never <body>.
  const focusFirstError = (root) => {
    const field = root?.querySelector('[aria-invalid="true"]');
    if (!field) return false;
    field.focus();
    field.scrollIntoView({ block: 'center' });
    return true;
  };
  document.addEventListener('htmx:after:swap', (event) => {
    const ctx = event.detail?.ctx;
    const scope =
      [...document.querySelectorAll('dialog[open]')].pop() ?? document.getElementById('main');
    if (/aria-invalid="?true/.test(ctx?.text ?? '') && focusFirstError(scope)) return;
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    const around = ctx?.target?.isConnected ? ctx.target : event.target;
    const message = around?.querySelector?.('[role="status"], [role="alert"]') ?? null;
    const place =
      message ?? (around instanceof HTMLElement && around !== document.body ? around : null);
    if (!place) return;
    if (!place.matches('a, button, input, select, textarea, [tabindex]')) place.tabIndex = -1;
    place.focus();
  });
  document.addEventListener('DOMContentLoaded', () =>
    focusFirstError(document.getElementById('main')),
  );

  document.addEventListener('htmx:after:settle', (event) =>
    openDialogs(event.target.parentElement ?? document),
  );
  document.addEventListener('DOMContentLoaded', () => openDialogs(document));

  // A button marked data-close-dialog closes the dialog it sits in.
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    target?.closest('dialog button[data-close-dialog]')?.closest('dialog')?.close();
  });

  // Long text is refused by the server, never cut: no maxlength (it drops pasted
  // text silently); a counter beside the field instead, shown near the limit.
  const NEAR = 0.8;
  document.addEventListener('input', (event) => {
    const field = event.target instanceof Element ? event.target.closest('[data-max]') : null;
    if (!field?.id) return;
    const max = Number(field.getAttribute('data-max'));
    const used = [...field.value].length;
    let counter = document.getElementById(`${field.id}-count`);
    if (used < max * NEAR) {
      counter?.remove();
      return;
    }
    if (!counter) {
      counter = document.createElement('p');
      counter.id = `${field.id}-count`;
      counter.className = 'hint counter';
      counter.setAttribute('aria-live', 'polite');
      field.insertAdjacentElement('afterend', counter);
    }
    const over = used - max;
    counter.classList.toggle('over', over > 0);
    counter.textContent =
      over > 0
        ? `${over.toLocaleString('en-US')} characters over the limit of ${max.toLocaleString('en-US')}; shorten it before saving.`
        : `${used.toLocaleString('en-US')} of ${max.toLocaleString('en-US')} characters.`;
  });

  // A half-written ticket is not discarded by Escape or Close without asking.
  const typedIn = (form) =>
    [...(form?.elements ?? [])].some((el) => {
      if (el.type === 'hidden' || el.type === 'submit' || el.type === 'button') return false;
      if (el instanceof HTMLSelectElement) {
        return [...el.options].some((o) => o.selected !== o.defaultSelected);
      }
      if (el.type === 'checkbox' || el.type === 'radio') return el.checked !== el.defaultChecked;
      return 'value' in el && el.value !== el.defaultValue;
    });
  const keepTyped = (dialog) =>
    typedIn(dialog.querySelector('#new-ticket-form')) &&
    !window.confirm('Discard this ticket? What you typed will be lost.');
  document.addEventListener(
    'cancel',
    (event) => {
      const dialog = event.target;
      if (
        dialog instanceof HTMLDialogElement &&
        dialog.id === 'ticket-dialog' &&
        keepTyped(dialog)
      ) {
        event.preventDefault();
      }
    },
    true,
  );
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method !== 'dialog') return;
    const dialog = form.closest('dialog#ticket-dialog');
    if (dialog && keepTyped(dialog)) event.preventDefault();
  });

  // A list's filters fold behind "Filters (n)" on a phone, where they would
  // push the tickets a screen down; on a wider screen they are always open.
  // The server renders them open, so without JavaScript nothing is hidden.
  const narrow = window.matchMedia('(max-width: 40rem)');
  const foldFilters = () => {
    for (const panel of document.querySelectorAll('details[data-collapse-narrow]')) {
      panel.open = !narrow.matches;
    }
  };
  document.addEventListener('DOMContentLoaded', foldFilters);
  narrow.addEventListener('change', foldFilters);
})();
