import { createRoute, z } from '@hono/zod-openapi';
import { AppError, access, jsonBody, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { render, syntaxError } from '../services/render.js';
import {
  deleteTemplate,
  latestTemplates,
  publishTemplate,
  resolveTemplate,
  versionsOf,
} from '../services/templates.js';
import { problems } from './problems.js';
import { CreateSchema, KeyParams, PreviewSchema, TemplateSchema, UpdateSchema } from './template-schemas.js';

const TAG = ['notifications'];

const listRoute = createRoute({
  method: 'get',
  path: '/',
  tags: TAG,
  ...access('notifications:manage'),
  summary: 'List templates',
  description: 'The newest version of each key and locale. Needs `notifications:manage`.',
  responses: { 200: jsonResponse(z.object({ data: z.array(TemplateSchema) }), 'Templates'), ...problems(401, 403) },
});
const createTemplateRoute = createRoute({
  method: 'post',
  path: '/',
  tags: TAG,
  ...access('notifications:manage'),
  request: jsonBody(CreateSchema),
  summary: 'Create a template',
  description:
    'Version 1 of a new key. A template mustache cannot parse is a 400; the `security` category is a 400 (it is kept for the templates that ship with the platform); an `identity.*` key is a 403.',
  responses: { 201: jsonResponse(TemplateSchema, 'Created'), ...problems(400, 401, 403, 409) },
});
const getRoute = createRoute({
  method: 'get',
  path: '/{key}',
  tags: TAG,
  ...access('notifications:manage'),
  request: { params: KeyParams },
  summary: 'Get a template with all its versions',
  responses: {
    200: jsonResponse(
      z.object({ key: z.string(), builtIn: z.boolean(), versions: z.array(TemplateSchema) }),
      'The template',
    ),
    ...problems(401, 403, 404),
  },
});
const updateRoute = createRoute({
  method: 'put',
  path: '/{key}',
  tags: TAG,
  ...access('notifications:manage'),
  request: { params: KeyParams, ...jsonBody(UpdateSchema) },
  summary: 'Publish a new version',
  description:
    'Earlier versions stay, and deliveries record which version they used. Built-in (security) templates and `identity.*` keys change only with the code: 403.',
  responses: { 200: jsonResponse(TemplateSchema, 'The new version'), ...problems(400, 401, 403, 404, 409) },
});
const deleteRoute = createRoute({
  method: 'delete',
  path: '/{key}',
  tags: TAG,
  ...access('notifications:manage'),
  request: { params: KeyParams },
  summary: 'Delete a custom template',
  description: 'Built-in (security) templates and `identity.*` keys are a 403.',
  responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404, 409) },
});
const previewRoute = createRoute({
  method: 'post',
  path: '/{key}/preview',
  tags: TAG,
  ...access('notifications:manage'),
  request: { params: KeyParams, ...jsonBody(PreviewSchema) },
  summary: 'Render a template with sample data',
  description:
    'Renders the stored template, or a draft of its `subject`, `text` and `html` sent in the body (nothing is saved). A draft mustache cannot parse is a 400 naming the part.',
  responses: {
    200: jsonResponse(
      z.object({
        key: z.string(),
        locale: z.string(),
        version: z.number().int(),
        subject: z.string(),
        text: z.string(),
        html: z.string().nullable(),
      }),
      'Rendered',
    ),
    ...problems(400, 401, 403, 404),
  },
});

/** `/api/v1/notifications/templates`: list, create, read with versions, publish versions, delete, preview. */
export const templates = resourceApp<AppEnv>();

templates.openapi(listRoute, async (c) => c.json({ data: await latestTemplates(dbOf(c.env.DB)) }, 200));

templates.openapi(createTemplateRoute, async (c) => {
  const { key, ...input } = c.req.valid('json');
  const created = await publishTemplate(dbOf(c.env.DB), key, input, 'create', requirePrincipal(c).userId);
  return c.json(created, 201);
});

templates.openapi(getRoute, async (c) => {
  const { key } = c.req.valid('param');
  const versions = await versionsOf(dbOf(c.env.DB), key);
  if (versions.length === 0) throw new AppError('NOT_FOUND', `No template ${key}.`);
  return c.json({ key, builtIn: versions.some((v) => v.builtIn), versions }, 200);
});

templates.openapi(updateRoute, async (c) => {
  const { key } = c.req.valid('param');
  const input = c.req.valid('json');
  const published = await publishTemplate(dbOf(c.env.DB), key, input, 'update', requirePrincipal(c).userId);
  return c.json(published, 200);
});

templates.openapi(deleteRoute, async (c) => {
  await deleteTemplate(dbOf(c.env.DB), c.req.valid('param').key);
  return c.body(null, 204);
});

templates.openapi(previewRoute, async (c) => {
  const { key } = c.req.valid('param');
  const { locale, data, ...draft } = c.req.valid('json');
  const template = await resolveTemplate(dbOf(c.env.DB), key, locale);
  if (!template) throw new AppError('NOT_FOUND', `No template ${key}.`);
  // A draft (the console's editor, as the operator types) renders in place of the stored parts; nothing is saved.
  const content = {
    subject: draft.subject ?? template.subject,
    text: draft.text ?? template.text,
    html: draft.html === undefined ? template.html : draft.html,
  };
  const bad = syntaxError(content);
  if (bad) {
    throw new AppError('VALIDATION_FAILED', 'The draft does not parse; see errors.', {
      errors: [{ path: `body.${bad.path}`, message: bad.message }],
    });
  }
  const out = render(content, data);
  return c.json({ key, locale: template.locale, version: template.version, ...out }, 200);
});
