// Files in ticket forms: the plain file input works without this script. With it,
// files can be added from the picker, by drag and drop, or by pasting an image
// (a screenshot) anywhere in the form; each shows before Save, with a thumbnail
// for images and a Remove button. The input's FileList is the one source of
// truth, so the form posts exactly what is shown, with or without htmx.
(() => {
  const PICKER = 'input[type="file"][data-file-picker]';

  const sizeLabel = (bytes) => {
    if (bytes < 1024) return `${bytes} bytes`;
    if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KB`;
    return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  };

  const listOf = (input) => document.getElementById(`${input.id}-previews`);

  /** Says something about the files, beside them, for screen readers too. */
  const say = (input, message) => {
    let note = document.getElementById(`${input.id}-note`);
    if (!message) {
      note?.remove();
      return;
    }
    if (!note) {
      note = document.createElement('p');
      note.id = `${input.id}-note`;
      note.className = 'field-error';
      note.setAttribute('role', 'alert');
      listOf(input)?.insertAdjacentElement('afterend', note);
    }
    note.textContent = message;
  };

  const setFiles = (input, files) => {
    const transfer = new DataTransfer();
    for (const file of files) transfer.items.add(file);
    input.files = transfer.files;
    render(input);
  };

  /** Adds files within the limits the server will apply; says which limit refused one. */
  const add = (input, incoming) => {
    const maxFile = Number(input.dataset.maxFile);
    const maxFiles = Number(input.dataset.maxFiles);
    const maxTotal = Number(input.dataset.maxTotal);
    const kept = [...(input.hdFiles ?? [])];
    let total = kept.reduce((sum, f) => sum + f.size, 0);
    const refused = [];
    for (const file of incoming) {
      if (file.size > maxFile) {
        refused.push(
          `“${file.name}” is larger than ${sizeLabel(maxFile)}, the largest file allowed.`,
        );
      } else if (kept.length >= maxFiles) {
        refused.push(
          `This ticket has room for ${maxFiles} more ${maxFiles === 1 ? 'file' : 'files'}.`,
        );
      } else if (total + file.size > maxTotal) {
        refused.push(`The files would pass the ${sizeLabel(maxTotal)} left on this ticket.`);
      } else {
        kept.push(file);
        total += file.size;
      }
    }
    input.hdFiles = kept;
    setFiles(input, kept);
    say(input, [...new Set(refused)].join(' '));
  };

  const remove = (input, index) => {
    input.hdFiles = (input.hdFiles ?? []).filter((_, i) => i !== index);
    setFiles(input, input.hdFiles);
    say(input, '');
    input.focus();
  };

  function render(input) {
    const list = listOf(input);
    if (!list) return;
    list.replaceChildren();
    (input.hdFiles ?? []).forEach((file, index) => {
      const item = document.createElement('li');
      if (file.type.startsWith('image/') && file.type !== 'image/svg+xml') {
        const img = document.createElement('img');
        img.alt = '';
        img.className = 'thumb';
        // A data: address: the page's CSP allows it for images, not blob:.
        const reader = new FileReader();
        reader.onload = () => {
          img.src = String(reader.result);
        };
        reader.readAsDataURL(file);
        item.append(img);
      }
      const name = document.createElement('span');
      name.className = 'file-name';
      name.textContent = file.name;
      const size = document.createElement('span');
      size.className = 'hint';
      size.textContent = sizeLabel(file.size);
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'link';
      button.textContent = 'Remove';
      button.setAttribute('aria-label', `Remove ${file.name}`);
      button.addEventListener('click', () => remove(input, index));
      item.append(name, size, button);
      list.append(item);
    });
  }

  // The picker replaces its selection each time; here it adds to what is there.
  document.addEventListener('change', (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.matches(PICKER)) return;
    const picked = [...input.files];
    add(input, picked);
  });

  /** The picker a pasted or dropped file goes to: the form's own, else the page's only one. */
  const pickerFor = (element) => {
    const form = element instanceof Element ? element.closest('form') : null;
    const own = form?.querySelector(PICKER);
    if (own) return own;
    const all = document.querySelectorAll(PICKER);
    return form && all.length === 1 ? all[0] : null;
  };

  let pasted = 0;
  document.addEventListener('paste', (event) => {
    const data = event.clipboardData;
    const files = [...(data?.files ?? [])];
    // Text pastes as text; only a clipboard holding files alone is taken as files.
    if (files.length === 0 || data.types.includes('text/plain')) return;
    const input = pickerFor(event.target);
    if (!input) return;
    event.preventDefault();
    const stamp = new Date().toISOString().slice(0, 19).replace('T', ' ').replaceAll(':', '.');
    const named = files.map((file) => {
      // Screenshots arrive as "image.png": give each a name a person can tell apart.
      if (!/^image\.\w+$/.test(file.name)) return file;
      pasted += 1;
      const ext = file.name.split('.').pop();
      return new File([file], `Pasted ${stamp} ${pasted}.${ext}`, { type: file.type });
    });
    add(input, named);
  });

  const zoneOf = (target) =>
    target instanceof Element ? target.closest('[data-drop-zone]') : null;
  document.addEventListener('dragover', (event) => {
    const zone = zoneOf(event.target);
    if (!zone || !event.dataTransfer?.types.includes('Files')) return;
    event.preventDefault();
    zone.classList.add('dropping');
  });
  document.addEventListener('dragleave', (event) => {
    zoneOf(event.target)?.classList.remove('dropping');
  });
  document.addEventListener('drop', (event) => {
    const zone = zoneOf(event.target);
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove('dropping');
    const input = zone.querySelector(PICKER);
    if (input) add(input, [...(event.dataTransfer?.files ?? [])]);
  });

  // A form refused by the server (a limit, a missing title) comes back as a new
  // fragment with empty file inputs: put the files back, so nothing is lost.
  const pending = new Map();
  document.addEventListener('htmx:before:request', () => {
    pending.clear();
    for (const input of document.querySelectorAll(PICKER)) {
      if (input.hdFiles?.length) pending.set(input.id, input.hdFiles);
    }
  });
  document.addEventListener('htmx:after:request', (event) => {
    const status = event.detail?.ctx?.response?.status ?? 0;
    if (status < 400) pending.clear();
  });
  document.addEventListener('htmx:after:settle', () => {
    for (const [id, files] of pending) {
      const input = document.getElementById(id);
      if (input instanceof HTMLInputElement && !input.hdFiles?.length) {
        input.hdFiles = files;
        setFiles(input, files);
      }
    }
    pending.clear();
  });
})();
