import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { RouterContext } from './context.js';
import { ReadResponse } from './resilience/resilient-fetch.js';

export const RESPONSE_TOO_LARGE = 'RESPONSE_TOO_LARGE';

/** An operation whose subgraph answers (or a subscription payload) grew past `MAX_RESPONSE_BYTES`. */
class ResponseTooLargeError extends GraphQLError {
  constructor(maxBytes: number) {
    super(`The answer would be larger than ${maxBytes} bytes: ask for smaller pages (first/last) or fewer fields.`, {
      extensions: { code: RESPONSE_TOO_LARGE, maxBytes, http: { status: 400 } },
    });
  }
}

interface Meter {
  readonly maxBytes: number;
  bytes: number;
  exceeded: boolean;
}

/** Where an operation's meter sits on its context object (set when the operation starts). */
const METER = Symbol('stagelives.responseMeter');
type Metered = { [METER]?: Meter };

/**
 * Reads a subgraph's answer as the gateway's data source would (JSON, else text), counting its
 * bytes against the operation's bound: past it the read stops, the upstream body is cancelled,
 * and the operation answers only ResponseTooLargeError (see `responseSizePlugin`). The bound is
 * on what the subgraphs send, before the router builds (and holds) the answer from it.
 */
export async function readMeteredBody(response: Response, context: object | undefined): Promise<unknown> {
  const meter = context ? (context as Metered)[METER] : undefined;
  // Read whole already, inside the subgraph's policy (resilient-fetch.ts): its bytes, without a stream.
  if (response instanceof ReadResponse) {
    if (meter) {
      if (meter.exceeded) throw new ResponseTooLargeError(meter.maxBytes);
      meter.bytes += response.content.byteLength;
      if (meter.bytes > meter.maxBytes) {
        meter.exceeded = true;
        throw new ResponseTooLargeError(meter.maxBytes);
      }
    }
    return parseBody(response, Buffer.from(response.content).toString('utf8'));
  }
  if (!meter) return parseBody(response, await response.text());
  if (meter.exceeded) {
    await response.body?.cancel().catch(() => undefined);
    throw new ResponseTooLargeError(meter.maxBytes);
  }
  const chunks: Uint8Array[] = [];
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      meter.bytes += value.byteLength;
      if (meter.bytes > meter.maxBytes) {
        meter.exceeded = true;
        await reader.cancel().catch(() => undefined);
        throw new ResponseTooLargeError(meter.maxBytes);
      }
      chunks.push(value);
    }
  }
  return parseBody(response, Buffer.concat(chunks).toString('utf8'));
}

function parseBody(response: Response, text: string): unknown {
  const type = response.headers.get('content-type') ?? '';
  return type.startsWith('application/json') || type.startsWith('application/graphql-response+json') ? JSON.parse(text) : text;
}

/**
 * `MAX_RESPONSE_BYTES`, the last line behind the cost rule: gives each client operation (HTTP,
 * REST) a byte meter its subgraph fetches count against, and answers an operation that went past
 * it with ResponseTooLargeError alone (HTTP 400), never a partial answer. The chat hub's event
 * reads (`internal`) are bounded per payload instead (ws-server.ts ends that subscription): a
 * failed read would be retried for the whole room.
 */
export function responseSizePlugin(maxBytes: number): ApolloServerPlugin<RouterContext> {
  return {
    async requestDidStart({ contextValue }) {
      if (contextValue.internal) return {};
      const meter: Meter = { maxBytes, bytes: 0, exceeded: false };
      // On the context itself (the copy Apollo hands to plugins and data sources alike), not in a WeakMap: nothing for the collector to trace.
      (contextValue as Metered)[METER] = meter;
      return {
        async willSendResponse({ response }) {
          if (!meter.exceeded || response.body.kind !== 'single') return;
          const error = new ResponseTooLargeError(maxBytes);
          response.body.singleResult = { errors: [{ message: error.message, extensions: { code: RESPONSE_TOO_LARGE, maxBytes } }] };
          response.http.status = 400;
        },
      };
    },
  };
}
