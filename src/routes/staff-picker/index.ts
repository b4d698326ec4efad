import type { FastifyPluginAsync } from 'fastify';
import { staffDirectory } from '../../staff/directory.js';
import { buildPicker } from '../../staff/picker.js';
import { UNDECOMPOSED } from '../../staff/search.js';

/** Which picker asks: its field name, its element id, and what its first option is. */
interface PickerQuery {
  field: string;
  id: string;
  first: 'self' | 'choose';
  query: Record<string, unknown>;
}

const FIELD = /^[a-z][a-z_]{0,39}$/;
const ELEMENT_ID = /^[a-z][a-z0-9-]{0,59}$/;

function readPickerQuery(raw: unknown): PickerQuery {
  const query = (raw ?? {}) as Record<string, unknown>;
  const field =
    typeof query.field === 'string' && FIELD.test(query.field) ? query.field : 'assignee';
  const id = typeof query.id === 'string' && ELEMENT_ID.test(query.id) ? query.id : field;
  const first = query.first === 'choose' ? 'choose' : 'self';
  return { field, id, first, query };
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** The pick list's title names the field it fills. */
const LABELS: Record<string, string> = {
  assignee: 'Assigned To',
  associate: 'Staff associated with Ticket',
};

/**
 * The staff picker's two requests, open to everyone signed in except external
 * support (assigning a ticket needs no permission): quick search, answering
 * only the drop-down's options, and the pick list, answering a dialog. Reads
 * only; no PHI.
 */
const staffPicker: FastifyPluginAsync = async (app) => {
  // External support accounts see only tickets sent to the desk, and no staff list.
  app.addHook('onRequest', async (request, reply) => {
    if (request.staff?.roleKey === 'external') return reply.callNotFound();
  });

  app.get('/staff-picker/options', async (request, reply) => {
    const { field, id, first, query } = readPickerQuery(request.query);
    const directory = await staffDirectory(app.db);
    const picker = await buildPicker(app.db, directory, {
      selected: text(query[field]),
      self: first === 'self',
      placeholder: first === 'choose' ? 'Choose a person' : undefined,
      q: text(query[`${field}_q`]).slice(0, 100),
      step: 'search',
    });
    return reply.page(
      'staff-picker/results',
      { title: 'Quick search', field, id, picker },
      { fragment: 'staff-picker/_options-swap' },
    );
  });

  app.get('/staff-picker/pick-list', async (request, reply) => {
    const { field, id, first } = readPickerQuery(request.query);
    const directory = await staffDirectory(app.db);
    const label = LABELS[field] ?? 'Choose a person';
    return reply.page(
      'staff-picker/directory',
      {
        title: 'Staff',
        field,
        id,
        first,
        label,
        groups: directory.byDepartment(),
        count: directory.entries.length,
        // The browser's filter folds typed letters with the server's table.
        fold: JSON.stringify(UNDECOMPOSED),
      },
      { fragment: 'staff-picker/_pick-list-dialog' },
    );
  });
};

export default staffPicker;
