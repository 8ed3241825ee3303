import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Every folder the layering rules speak about (.dependency-cruiser.cjs). */
const CRUISED = ['schema', 'platform', 'subgraphs', 'router', 'workers', 'test', 'tools/devkit', 'scripts'];

describe('the layering of docs/architecture.md', () => {
  it('should hold: no import breaks a rule of .dependency-cruiser.cjs, and there are no cycles', async () => {
    // depcruise exits non-zero on an error-severity violation; its `err` output lists each one.
    const { code, output } = await promisify(execFile)(
      process.execPath,
      [join(root, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs'), '--config', '.dependency-cruiser.cjs', '--output-type', 'err', ...CRUISED],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
    ).then(
      ({ stdout }) => ({ code: 0, output: stdout }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? 1, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
    expect(code, output).toBe(0);
  }, 60_000);
});
