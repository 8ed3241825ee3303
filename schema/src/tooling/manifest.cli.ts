// Prints the trusted-operation manifest of the contract (what `OPERATIONS=trusted` runs) as JSON,
// in Apollo's persisted query manifest format; `--ids` prints only `{ "<name>": "<sha256>" }`.
import { operationManifest } from '../operation-manifest.js';
import { CONTRACT_DIR } from './contract.js';

try {
  const manifest = operationManifest(CONTRACT_DIR);
  const output = process.argv.includes('--ids') ? Object.fromEntries(manifest.operations.map((o) => [o.name, o.id])) : manifest;
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
