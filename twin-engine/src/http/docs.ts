import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/**
 * OpenAPI 3.1 generated from the zod route schemas (GET /docs/json, /docs/yaml) and Swagger UI at
 * /docs with its assets served from node_modules (works with no internet). Must be registered
 * before the routes it documents.
 */
export const docsPlugin = fp(async (app: FastifyInstance) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Basin Twin API',
        version: '1',
        description:
          'Command API of the river-basin digital twin. Authenticate with `Authorization: Bearer <API key or OIDC JWT>` (or `X-API-Key`). ' +
          'Errors are `{status, code, message, details}`; validation errors name the field in details[].field.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'API key btk_<id>.<secret>, or a JWT from the site single sign-on' },
        },
      },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  // The UI and spec routes are public: they describe the API, they do not expose data.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...(route.config as object), access: 'public' } as typeof route.config;
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true }, staticCSP: true });
});
