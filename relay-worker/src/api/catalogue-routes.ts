import type { FastifyInstance } from 'fastify';
import { EVENT_TYPES, SCHEMA_VERSION, catalogueIndex, eventJsonSchema } from '@3cx-relay/events';
import { AppError } from '../errors.js';
import { asyncApiDocument } from './asyncapi.js';

/**
 * The event catalogue, public like /relay/openapi.json: `/relay/schemas` (index), one JSON
 * Schema per type (`/relay/schemas/<type>.json`, and per version `/relay/schemas/v1/<type>.json`)
 * and `/relay/asyncapi.json`. Each document is serialized once, at start.
 */
export function registerCatalogueRoutes(app: FastifyInstance): void {
  const index = JSON.stringify(catalogueIndex());
  const schemas = new Map(EVENT_TYPES.map((t) => [`${t}.json`, JSON.stringify(eventJsonSchema(t))]));
  const asyncapi = JSON.stringify(asyncApiDocument());
  const schema = (file: string) => {
    const body = schemas.get(file);
    if (!body)
      throw new AppError('NOT_FOUND', `no event type ${file.replace(/\.json$/, '')} in the catalogue`);
    return body;
  };
  app.get('/relay/schemas', async (_req, reply) => reply.type('application/json').send(index));
  app.get('/relay/schemas/index.json', async (_req, reply) => reply.type('application/json').send(index));
  app.get<{ Params: { file: string } }>('/relay/schemas/:file', async (req, reply) =>
    reply.type('application/schema+json').send(schema(req.params.file)),
  );
  app.get<{ Params: { file: string } }>(`/relay/schemas/v${SCHEMA_VERSION}/:file`, async (req, reply) =>
    reply.type('application/schema+json').send(schema(req.params.file)),
  );
  app.get('/relay/asyncapi.json', async (_req, reply) => reply.type('application/json').send(asyncapi));
}
