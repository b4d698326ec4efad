import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiTestApp, created, makeToken, postTicket } from '../../helpers/api.js';
import type { TestApp } from '../../helpers/app.js';
import { makeImage, multipartBody } from '../../helpers/multipart.js';

let t: TestApp;
let token: string;
let other: string;

beforeAll(async () => {
  const world = await createApiTestApp();
  t = world.t;
  token = await makeToken(world.admin, 'billing-sync');
  other = await makeToken(world.admin, 'nightly-import');
});
afterAll(() => t.close());

function postFiles(
  bearer: string | null,
  number: number | string,
  files: Parameters<typeof multipartBody>[1],
) {
  const { body, contentType } = multipartBody([], files);
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/tickets/${number}/attachments`,
    headers: {
      'content-type': contentType,
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
    },
    payload: body,
  });
}

describe('POST /api/v1/tickets/:number/attachments', () => {
  it('adds files to a ticket the token created, audited under the token', async () => {
    const number = created(await postTicket(t.app, token, { title: 'Claim batch rejected' }));
    const response = await postFiles(token, number, [
      { name: 'batch 2231.csv', bytes: Buffer.from('claim,code\n1,X\n') },
      { name: 'payer.png', bytes: await makeImage() },
    ]);
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toEqual({ number, files: 2 });
    const rows = await t.app.db
      .selectFrom('ticket_attachments')
      .select(['kind', 'content_type'])
      .where('ticket_id', '=', number)
      .execute();
    expect(rows).toEqual([
      { kind: 'file', content_type: 'application/octet-stream' },
      { kind: 'image', content_type: 'image/png' },
    ]);
    const audit = await t.app.db
      .selectFrom('audit_log')
      .select(['actor', 'detail'])
      .where('action', '=', 'attachment-added')
      .where('ticket_id', '=', number)
      .executeTakeFirstOrThrow();
    expect(audit).toEqual({ actor: 'token: billing-sync', detail: '2 files' });
  });

  it('answers 404 for a ticket another token created, 401 without a token, 415 for JSON and 422 with no file', async () => {
    const number = created(await postTicket(t.app, token, { title: 'Export failed' }));
    const file = [{ name: 'a.txt', bytes: Buffer.from('a') }];
    expect((await postFiles(other, number, file)).statusCode).toBe(404);
    expect((await postFiles(token, 99999, file)).statusCode).toBe(404);
    expect((await postFiles(null, number, file)).statusCode).toBe(401);
    const json = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${number}/attachments`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(json.statusCode).toBe(415);
    const none = await postFiles(token, number, []);
    expect(none.statusCode).toBe(422);
    expect(none.json()).toEqual({
      errors: { files: 'Send at least one file in the field "files".' },
    });
    const count = await t.app.db
      .selectFrom('ticket_attachments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('ticket_id', '=', number)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('is in the OpenAPI description', async () => {
    const doc = (await t.app.inject({ url: '/api/v1/openapi.json' })).json();
    expect(doc.paths['/api/v1/tickets/{number}/attachments'].post.operationId).toBe('attachFiles');
  });
});
