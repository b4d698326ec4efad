// The staff picker (views/staff-picker): quick search, and the pick list as a dialog.
(() => {
  // Folded as src/staff/search.ts folds: case and accents fall away. The letters
  // Unicode does not decompose come from the server with the pick list
  // (data-fold), so both fold with one table.
  const searchWords = (text, undecomposed) => {
    const letters = new RegExp(`[${Object.keys(undecomposed).join('')}]`, 'g');
    return text
      .toLowerCase()
      .normalize('NFD')
      .replace(/\p{M}+/gu, '')
      .replace(letters, (c) => undecomposed[c] ?? c)
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean);
  };

  const BUTTON_TYPES = new Set(['submit', 'button', 'reset', 'image', 'file']);
  // Enter in the quick-search field searches (it would otherwise submit the form);
  // Enter in the form's other one-line fields still saves, as it did before the
  // picker's buttons came first in the form.
  const enterInForm = (event) => {
    if (event.key !== 'Enter' || event.isComposing || event.defaultPrevented) return;
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.form) return;
    if (input.matches('[data-quick-search]')) {
      event.preventDefault();
      input.closest('.staff-picker')?.querySelector('[data-search-button]')?.click();
    } else if (input.form.querySelector('[data-quick-search]') && !BUTTON_TYPES.has(input.type)) {
      event.preventDefault();
      input.form.requestSubmit();
    }
  };

  // Matches arrived in the drop-down: it takes focus, ready to pick, if the person
  // is still at the search. No match: back to the search field to try again.
  document.addEventListener('htmx:after:settle', (event) => {
    const select = event.target;
    if (!(select instanceof HTMLSelectElement)) return;
    const picker = select.closest('.staff-picker');
    const active = document.activeElement;
    if (!picker?.contains(active) || active === select) return;
    if (select.querySelector('option[data-match]')) select.focus();
    else picker.querySelector('[data-quick-search]')?.select();
  });

  const pickListOf = (element) => element.closest('dialog[data-pick-for]');
  const visibleEntries = (dialog) =>
    [...dialog.querySelectorAll('button.pick')].filter((b) => !b.closest('[hidden]'));

  const filterPickList = (dialog, query) => {
    const words = searchWords(query, JSON.parse(dialog.dataset.fold || '{}'));
    let shown = 0;
    for (const item of dialog.querySelectorAll('li[data-key]')) {
      const key = ` ${item.dataset.key}`;
      item.hidden = !words.every((w) => key.includes(w));
      if (!item.hidden) shown++;
    }
    for (const group of dialog.querySelectorAll('.pick-group')) {
      group.hidden = !group.querySelector('li[data-key]:not([hidden])');
    }
    // While a filter is typed, [self] comes after the matches: the first match is the first choice.
    const self = dialog.querySelector('button[data-pick="self"]')?.parentElement;
    const groups = dialog.querySelector('[data-pick-groups]');
    if (self && groups) {
      if (words.length) groups.after(self);
      else groups.before(self);
    }
    const count = dialog.querySelector('[data-pick-count]');
    if (count) {
      count.textContent =
        shown === 0
          ? `No staff match “${query.trim()}”.`
          : `${shown} ${shown === 1 ? 'person' : 'people'}`;
    }
  };

  // Puts the choice in the drop-down (adding the option if a search has not) and closes.
  const pick = (button) => {
    const dialog = pickListOf(button);
    const select = document.getElementById(dialog.dataset.pickFor);
    if (!select) return;
    const value = button.dataset.pick;
    let option = [...select.options].find((o) => o.value === value);
    if (!option) {
      option = new Option(button.dataset.label, value);
      select.options[0] ? select.options[0].after(option) : select.append(option);
    }
    select.value = value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
    const status = document.getElementById(`${select.id}-status`);
    if (status) status.textContent = `Chosen from the pick list: ${button.dataset.label}.`;
    dialog.dataset.picked = 'true';
    dialog.close();
  };

  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const pickButton = target?.closest('dialog[data-pick-for] button[data-pick]');
    if (pickButton) pick(pickButton);
  });

  document.addEventListener('input', (event) => {
    if (event.target.matches?.('[data-pick-filter]')) {
      filterPickList(pickListOf(event.target), event.target.value);
    }
  });

  // Keyboard: arrows move through the people shown, Enter picks; Escape closes (the browser's own).
  const keyInPickList = (event) => {
    const target = event.target;
    const dialog = target instanceof Element ? pickListOf(target) : null;
    if (!dialog) return;
    const entries = visibleEntries(dialog);
    const at = entries.indexOf(target);
    const move = (index) => {
      event.preventDefault();
      entries[Math.max(0, Math.min(entries.length - 1, index))]?.focus();
    };
    if (target.matches('[data-pick-filter]')) {
      if (event.key === 'ArrowDown') move(0);
      else if (event.key === 'Enter') {
        event.preventDefault();
        // Enter after a filter picks the first match (never [self] ahead of the matches).
        const people = entries.filter((b) => b.dataset.pick !== 'self');
        if (target.value.trim() && people[0]) pick(people[0]);
        else entries[0]?.focus();
      }
    } else if (at >= 0) {
      if (event.key === 'ArrowDown') move(at + 1);
      else if (event.key === 'ArrowUp') {
        if (at === 0) {
          event.preventDefault();
          dialog.querySelector('[data-pick-filter]')?.focus();
        } else move(at - 1);
      } else if (event.key === 'Home') move(0);
      else if (event.key === 'End') move(entries.length - 1);
    }
  };

  document.addEventListener('keydown', (event) => {
    enterInForm(event);
    keyInPickList(event);
  });

  // Focus goes back where it belongs: to the drop-down after a pick, else to the Pick list button.
  document.addEventListener(
    'close',
    (event) => {
      const dialog = event.target;
      if (!(dialog instanceof HTMLDialogElement) || !dialog.dataset.pickFor) return;
      const id = dialog.dataset.pickFor;
      const back =
        dialog.dataset.picked === 'true'
          ? document.getElementById(id)
          : document.querySelector(`[data-pick-list="${CSS.escape(id)}"]`);
      back?.focus();
    },
    true,
  );
})();
