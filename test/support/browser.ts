/**
 * Real browsers for the evidence view's tests: Debian's Chromium driven by playwright-core, and Debian's
 * Firefox ESR driven by puppeteer-core over WebDriver BiDi, both with the system binary (no browser download).
 * A missing browser fails the run with the install command; nothing is skipped.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/** The flags this closed network needs (no background connections, no QUIC, no component updates). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

function need(binary: string, pkg: string): void {
  if (!existsSync(binary)) throw new Error(`${binary} not found: install Debian's ${pkg} (bash scripts/install-system-deps.sh)`);
}

export async function launchChromium(): Promise<Browser> {
  need(CHROMIUM, 'chromium');
  // headless; playwright gives every launch a new, empty profile.
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
}

export async function launchFirefox() {
  need(FIREFOX, 'firefox-esr');
  // puppeteer-core drives Firefox over WebDriver BiDi (no CDP); imported lazily: only the Firefox test needs it.
  const puppeteer = await import('puppeteer-core');
  return puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, protocolTimeout: 30_000, timeout: 30_000 });
}

/** Where screenshots go (CI keeps artifacts/; git ignores it). */
export const SCREENSHOTS = path.resolve(__dirname, '../../artifacts/screenshots');
