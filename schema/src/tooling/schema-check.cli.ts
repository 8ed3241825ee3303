// `npm run schema:check [-- --base <ref>]`: composes the working tree's supergraph (as `npm run compose`
// does, without writing it) and compares its API schema with the released one (schema/supergraph.graphql
// at the merge base with main, or at <ref>). Exit 1: a breaking change that a contract operation uses;
// exit 2: the check could not run (composition failed, unknown ref). Breaking changes nobody uses warn.
import { composeSupergraph } from './compose.js';
import { loadContract } from './contract.js';
import { checkSupergraphChanges, formatSchemaCheck, readReleasedSupergraph } from './schema-check.js';

function baseArgument(argv: readonly string[]): string | undefined {
  const index = argv.findIndex((a) => a === '--base' || a.startsWith('--base='));
  if (index < 0) return undefined;
  const value = argv[index]!.startsWith('--base=') ? argv[index]!.slice('--base='.length) : argv[index + 1];
  if (!value) throw new Error('--base needs a git ref');
  return value;
}

try {
  const released = await readReleasedSupergraph(baseArgument(process.argv.slice(2)));
  const result = await checkSupergraphChanges(released.sdl, await composeSupergraph(), loadContract());
  console.log(formatSchemaCheck(result, released));
  process.exitCode = result.failed ? 1 : 0;
} catch (error) {
  console.error(`schema check: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
