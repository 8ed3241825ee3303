import { parse, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { DEFAULT_CONTRACT_DIR, operationManifest } from '@stagelives/schema';

export interface ContractDocument {
  name: string;
  /** The text sent to the router: the contract's own (so `OPERATIONS=trusted` runs it too). */
  source: string;
  document: DocumentNode;
  definition: OperationDefinitionNode;
}

/** The client contract's operations (`contract/*.graphql`, or CONTRACT_DIR), by name: the REST shim runs them verbatim. */
export function loadContractOperations(dir = DEFAULT_CONTRACT_DIR): Map<string, ContractDocument> {
  const operations = new Map<string, ContractDocument>();
  for (const op of operationManifest(dir).operations) {
    const document = parse(op.body);
    const definition = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition' && d.name?.value === op.name);
    if (!definition) throw new Error(`contract operation ${op.name} has no definition`);
    operations.set(op.name, { name: op.name, source: op.body, document, definition });
  }
  return operations;
}
