import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { IDENTITY_HEADER, REQUEST_ID_HEADER, ServiceUnavailableError, httpStatusOf, signIdentity, type ErrorCode, type Identity } from '@stagelives/schema';

interface OwnerClientOptions {
  /** The subgraphs this one calls, by name (`SUBGRAPH_URLS`; SUBGRAPH_CALLS in schema/src/subgraph-names.ts). */
  urls: Record<string, string>;
  identitySecret: string;
  timeoutMs?: number;
}

interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/**
 * Asks another subgraph directly, as the viewer (a signed identity, exactly as the router sends
 * it): the owner of a piece of content decides whether it exists for that viewer, the users
 * subgraph decides whether a suspension is allowed. Its refusals come back with their codes.
 */
export class OwnerClient {
  constructor(private readonly options: OwnerClientOptions) {}

  async request<T>(subgraph: string, viewer: Identity, query: string, variables: Record<string, unknown>): Promise<T> {
    const url = this.options.urls[subgraph];
    if (!url) throw new ServiceUnavailableError(`The ${subgraph} service is not configured here (SUBGRAPH_URLS).`);
    const requestId = randomUUID();
    let answer: GraphQLAnswer<T>;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [REQUEST_ID_HEADER]: requestId,
          [IDENTITY_HEADER]: signIdentity(viewer, { secret: this.options.identitySecret, requestId }),
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
      answer = (await response.json()) as GraphQLAnswer<T>;
    } catch {
      throw new ServiceUnavailableError(`The ${subgraph} service did not answer. Please try again shortly.`);
    }
    const [first] = answer.errors ?? [];
    if (first) {
      const code = first.extensions?.code;
      // The owner's refusal, as it said it; anything else it failed with is ours to hide.
      if (code && code in httpStatusOf && code !== 'INTERNAL_SERVER_ERROR') throw new GraphQLError(first.message, { extensions: { code: code as ErrorCode } });
      throw new ServiceUnavailableError(`The ${subgraph} service failed. Please try again shortly.`);
    }
    if (!answer.data) throw new ServiceUnavailableError(`The ${subgraph} service gave no answer.`);
    return answer.data;
  }
}
