/**
 * The automation API's OpenAPI 3.1 document, written by hand: two operations
 * do not need a generator. Served at /api/v1/openapi.json; keep it in step
 * with src/routes/api/index.ts (test/routes/api.test.ts checks both are there).
 */

const PRIORITIES = ['none', 'future', 'low', 'medium', 'high', 'crisis'];
const STATUSES = ['new', 'in_progress', 'waiting', 'complete', 'cancelled'];

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

export function openApiDocument(baseUrl: string): object {
  return {
    openapi: '3.1.0',
    info: {
      title: 'hushdesk automation API',
      version: '1',
      description:
        'Lets automated processes open help-desk tickets. Each request carries an API token made by an administrator (Settings → API tokens) as a bearer token. A token reads only the tickets it created. Titles travel in email notifications: never put protected health information in a title; the description may hold it and never leaves hushdesk.',
    },
    servers: [{ url: baseUrl }],
    security: [{ apiToken: [] }],
    paths: {
      '/api/v1/tickets': {
        post: {
          operationId: 'createTicket',
          summary: 'Open a ticket',
          description:
            'Validated exactly as the ticket window is, the title guard included. With assignee "auto" ([auto-assignment]) the ticket goes to the billing coordinator designated in Settings, or stays unassigned, for an administrator to pick someone, when none is designated. The assignee is notified by email (number and title only).',
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/NewTicket' } },
            },
          },
          responses: {
            '201': {
              description: 'Created.',
              headers: {
                Location: { description: 'The ticket’s page.', schema: { type: 'string' } },
              },
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/Created' } },
              },
            },
            '401': error('No token, an unknown one, or a revoked one.'),
            '415': error('The body was not JSON.'),
            '422': {
              description: 'Not created: one message per field that is wrong.',
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/ValidationErrors' } },
              },
            },
          },
        },
      },
      '/api/v1/tickets/{number}': {
        get: {
          operationId: 'getTicket',
          summary: 'Read a ticket this token created',
          description:
            'Answers 404 for a ticket that does not exist and for one this token did not create alike. The description is not returned.',
          parameters: [
            {
              name: 'number',
              in: 'path',
              required: true,
              schema: { type: 'integer', minimum: 1 },
            },
          ],
          responses: {
            '200': {
              description: 'The ticket.',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Ticket' } } },
            },
            '401': error('No token, an unknown one, or a revoked one.'),
            '404': error('No such ticket created by this token.'),
          },
        },
      },
      '/api/v1/tickets/{number}/attachments': {
        post: {
          operationId: 'attachFiles',
          summary: 'Add files to a ticket this token created',
          description:
            'Files in the multipart field "files" (one or more). Limits are those in Settings → Attachments (by default 10 MB a file, 10 files and 50 MB a ticket). Names and bytes are encrypted in hushdesk; PNG, JPEG, WebP and GIF images are re-encoded without their metadata; every other file is kept for download only. No email carries a file or its name.',
          parameters: [
            {
              name: 'number',
              in: 'path',
              required: true,
              schema: { type: 'integer', minimum: 1 },
            },
          ],
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['files'],
                  properties: {
                    files: { type: 'array', items: { type: 'string', format: 'binary' } },
                  },
                },
              },
            },
          },
          responses: {
            '201': {
              description: 'Added.',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['number', 'files'],
                    properties: {
                      number: { type: 'integer' },
                      files: { type: 'integer', description: 'How many files were added.' },
                    },
                  },
                },
              },
            },
            '401': error('No token, an unknown one, or a revoked one.'),
            '404': error('No such ticket created by this token.'),
            '415': error('The body was not multipart/form-data.'),
            '422': {
              description: 'Nothing added: no file, or a limit passed (the message says which).',
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/ValidationErrors' } },
              },
            },
          },
        },
      },
    },
    components: {
      securitySchemes: {
        apiToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'A token from Settings → API tokens; it starts with hd_.',
        },
      },
      schemas: {
        NewTicket: {
          type: 'object',
          required: ['title'],
          properties: {
            title: {
              type: 'string',
              maxLength: 150,
              description:
                'One line. Travels in email: no protected health information. Refused (422) when it looks like PHI: Social Security, phone, record or client numbers, email addresses, dates that could be birth dates, words such as DOB, SSN, MRN or client #, and the agency’s own formats from Settings → Security.',
            },
            title_no_phi: {
              type: ['boolean', 'null'],
              default: false,
              description:
                'Send true to confirm that a title with a recent or year-less date (a due date, a meeting) holds no client information; without it such a title is refused (422). The confirmation is recorded in the audit log.',
            },
            description: {
              type: ['string', 'null'],
              maxLength: 20000,
              description: 'Free text; may hold protected health information.',
            },
            priority: {
              type: 'string',
              enum: PRIORITIES,
              default: 'none',
              description: 'Response targets are set in Settings.',
            },
            due: {
              type: ['string', 'null'],
              format: 'date',
              description: 'YYYY-MM-DD in the agency’s time zone; not before today.',
            },
            assignee: {
              type: 'string',
              default: 'auto',
              description:
                '"auto" for the billing coordinator ([auto-assignment]), or the username of an active staff member.',
            },
          },
        },
        Created: {
          type: 'object',
          required: ['number', 'url'],
          properties: {
            number: { type: 'integer' },
            url: { type: 'string', format: 'uri' },
          },
        },
        Ticket: {
          type: 'object',
          required: ['number', 'url', 'title', 'status', 'priority', 'created', 'updated'],
          properties: {
            number: { type: 'integer' },
            url: { type: 'string', format: 'uri' },
            title: { type: 'string' },
            status: { type: 'string', enum: STATUSES },
            priority: { type: 'string', enum: PRIORITIES },
            due: { type: ['string', 'null'], format: 'date' },
            completed: { type: ['string', 'null'], format: 'date' },
            assignee: {
              type: ['string', 'null'],
              description: 'The assignee’s username; null while unassigned.',
            },
            created: { type: 'string', format: 'date-time' },
            updated: { type: 'string', format: 'date-time' },
          },
        },
        ValidationErrors: {
          type: 'object',
          required: ['errors'],
          properties: {
            errors: {
              type: 'object',
              description: 'A message per field; "body" when the body is not a JSON object.',
              propertyNames: {
                enum: [
                  'body',
                  'title',
                  'title_no_phi',
                  'description',
                  'priority',
                  'due',
                  'assignee',
                ],
              },
              additionalProperties: { type: 'string' },
            },
          },
        },
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'string' } },
        },
      },
    },
  };
}
