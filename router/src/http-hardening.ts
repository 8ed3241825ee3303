import cors from 'cors';
import express, { type ErrorRequestHandler, type Express } from 'express';
import helmet from 'helmet';
import type { RouterConfig } from './config.js';

/** The Express app every router route hangs off: proxy trust, security headers, CORS allow-list. */
export function hardenedApp(config: RouterConfig): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  app.use(helmet());
  app.use(cors({ origin: config.CORS_ORIGINS, credentials: true, maxAge: 600 }));
  return app;
}

/** JSON bodies up to BODY_LIMIT; a larger or malformed body is a GraphQL-shaped 413 / 400. */
export function jsonBody(config: RouterConfig) {
  const bodyErrors: ErrorRequestHandler = (error: { status?: number; type?: string }, _req, res, next) => {
    if (!error.status || error.status >= 500) return next(error);
    const tooLarge = error.type === 'entity.too.large';
    res.status(error.status).json({
      errors: [{ message: tooLarge ? `Request body is larger than ${config.BODY_LIMIT}.` : 'Malformed request body.', extensions: { code: tooLarge ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST' } }],
    });
  };
  return [express.json({ limit: config.BODY_LIMIT }), bodyErrors] as const;
}
