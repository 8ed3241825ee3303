import type { Server } from 'node:http';
import type { BaseConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { Mongo } from '../mongo/mongo.js';
import type { MongoFeatures } from '../mongo/mongo-features.js';
import type { Redis } from '../redis/redis.js';

/** What every subgraph server is built from; `runSubgraph` makes them, tests pass their own. */
export interface SubgraphDeps {
  config: BaseConfig;
  logger: Logger;
  mongo: Mongo;
  redis: Redis;
  /** The raw environment, for settings only one domain reads (parsed with loadConfig). */
  env: NodeJS.ProcessEnv;
  /** What the MongoDB server supports; domains fall back where it does not. */
  features: MongoFeatures;
}

/** A built subgraph server: listening is separate from building. */
export interface SubgraphServer {
  readonly httpServer: Server;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

/** A domain's `create<Domain>Server`. */
export type SubgraphFactory = (deps: SubgraphDeps) => Promise<SubgraphServer>;
