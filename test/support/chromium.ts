import { existsSync } from 'node:fs'
import type { Browser } from 'playwright-core'

/** Debian's chromium package; TOLLGATE_TEST_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env.TOLLGATE_TEST_CHROMIUM ?? '/usr/bin/chromium'

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/** For `describe(..., { skip })`: a loud skip locally, a failure under CI=true (CI installs the chromium package). */
export function skipUnlessChromium (): false | string {
  if (existsSync(CHROMIUM)) return false
  const reason = `chromium is not installed at ${CHROMIUM} (apt-get install -y chromium)`
  if (process.env.CI === 'true') throw new Error(`${reason}; under CI=true the browser test must run, not be skipped`)
  console.error(`\n!!! SKIPPING: ${reason} !!!\n`)
  return reason
}

/** Starts headless Chromium through playwright-core with the executable above. */
export async function launchChromium (): Promise<Browser> {
  const { chromium } = await import('playwright-core')
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
}
