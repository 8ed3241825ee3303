import type { ApolloServer } from '@apollo/server';
import express, { type Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from '@stagelives/platform';
import type { RouterContext } from '../context.js';
import { sessionCookieName } from '../sessions.js';
import { loadContractOperations } from './contract-operations.js';
import { buildOpenApi } from './openapi.js';
import { REST_ROUTES } from './routes.js';
import { restShim } from './shim.js';
import { apiDocs } from './swagger.js';

export interface RestApiDeps {
  apollo: ApolloServer<RouterContext>;
  buildContext: (req: Request) => Promise<RouterContext>;
  schema: () => GraphQLSchema | undefined;
  bodyLimit: string;
  production: boolean;
  /** Where the contract's operations are (CONTRACT_DIR; default `contract/`). */
  contractDir?: string | undefined;
  logger: Logger;
}

/** The legacy REST shim (contract/rest.md), its generated OpenAPI document and Swagger UI. */
export function restApi({ apollo, buildContext, schema, bodyLimit, production, contractDir, logger }: RestApiDeps) {
  const operations = loadContractOperations(contractDir);
  const router = express.Router();
  router.use(
    apiDocs({ schema, generate: (current) => buildOpenApi({ schema: current, routes: REST_ROUTES, operations, cookieName: sessionCookieName(production) }) }),
  );
  router.use(restShim({ apollo, buildContext, schema, bodyLimit, logger, routes: REST_ROUTES, operations }));
  return router;
}
