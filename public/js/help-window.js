// The Help window opened from another application (views/help/layout.eta).
(() => {
  const close = () => window.close();

  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (target?.closest('[data-close-window]')) close();
    // The ticket opens in the person's hushdesk tab (named "hushdesk"); this window's work is done.
    if (target?.closest('a[data-open-in-main]')) setTimeout(close, 300);
  });

  // "Ticket #N created" closes itself after a moment, unless the person is
  // using it (focus or pointer inside): then it waits for them.
  document.addEventListener('DOMContentLoaded', () => {
    const page = document.querySelector('[data-close-after]');
    if (!page) return;
    const seconds = Number(page.getAttribute('data-close-after')) || 8;
    let timer = setTimeout(close, seconds * 1000);
    const hold = () => {
      clearTimeout(timer);
      timer = 0;
      const note = page.querySelector('[data-close-note]');
      if (note) note.textContent = 'This window stays open while you use it.';
    };
    page.addEventListener('focusin', hold, { once: true });
    page.addEventListener('pointerdown', hold, { once: true });
  });
})();
