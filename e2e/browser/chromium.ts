import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, headless, software GL (no GPU on CI machines). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--enable-unsafe-swiftshader',
      '--use-angle=swiftshader',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Every request of the page that leaves this host (air-gapped command centres). */
export function watchExternalRequests(page: Page): string[] {
  const external: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (['data:', 'blob:'].includes(u.protocol)) return;
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) external.push(r.url());
  });
  return external;
}
