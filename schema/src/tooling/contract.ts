import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, getVariableValues, parse, validate, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';

/** The project's copy of the client contract (`contract/`), or CONTRACT_DIR. */
export const CONTRACT_DIR = process.env.CONTRACT_DIR || fileURLToPath(new URL('../../../contract', import.meta.url));
/** The shared contract beside the project, when there is one: the project's copy follows it. */
export const SHARED_CONTRACT_DIR = fileURLToPath(new URL('../../../../shared/contract', import.meta.url));
export const CONTRACT_PENDING_PATH = fileURLToPath(new URL('../../contract-pending.txt', import.meta.url));

export interface ContractOperation {
  file: string;
  name: string;
  source: string;
  variables: Record<string, unknown>;
}

/** Every operation of every `*.graphql` contract file, with the sample variables above it. */
export function loadContract(dir = CONTRACT_DIR): ContractOperation[] {
  const operations: ContractOperation[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const def of parse(text).definitions) {
      if (def.kind !== Kind.OPERATION_DEFINITION || !def.loc) continue;
      const before = text.slice(0, def.loc.start);
      const marker = before.lastIndexOf('# variables:');
      const line =
        marker >= 0
          ? before
              .slice(marker + '# variables:'.length)
              .split('\n')[0]!
              .trim()
          : '{}';
      operations.push({
        file,
        name: def.name?.value ?? '(anonymous)',
        source: text.slice(def.loc.start, def.loc.end),
        variables: JSON.parse(line) as Record<string, unknown>,
      });
    }
  }
  return operations;
}

/** Operation names listed as pending (domains not built yet). */
export function loadPending(path = CONTRACT_PENDING_PATH): Set<string> {
  return new Set(
    readFileSync(path, 'utf8')
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim())
      .filter(Boolean),
  );
}

/** Validation errors of one operation and its sample variables against a schema (empty when valid). */
export function checkOperation(schema: GraphQLSchema, op: ContractOperation): string[] {
  const document = parse(op.source);
  const definition = document.definitions[0] as OperationDefinitionNode;
  // validate() does not check that the root type exists (execution does): check it here.
  if (!schema.getRootType(definition.operation)) return [`the schema has no ${definition.operation} type`];
  const errors = validate(schema, document).map((e) => e.message);
  if (errors.length) return errors;
  const coerced = getVariableValues(schema, definition.variableDefinitions ?? [], op.variables);
  return coerced.errors?.map((e) => `variables: ${e.message}`) ?? [];
}
