import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`; .ci/run installs it). Never a downloaded browser. */
const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Headless Chromium through playwright-core. Fails (never skips) with what to do when the
 * browser is missing or cannot start: the explorer's test is how we know the page works.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The explorer test drives Debian's chromium at ${CHROMIUM_PATH}, which is not installed: run \`apt-get install -y chromium\` (.ci/run does it).`,
    );
  }
  try {
    return await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 60_000,
    });
  } catch (error) {
    throw new Error(`${CHROMIUM_PATH} could not be started by playwright-core: ${(error as Error).message}`);
  }
}

/** Requests that stay on this machine (the router under test); everything else is blocked. */
export const isLocal = (url: string) => {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true;
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
};
