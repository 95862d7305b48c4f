import type { Page } from '@playwright/test';
import type { LoggedRequest } from './server.js';

/** URLs on the e2e static server (see server.ts for the flags). */

export type Flag = 'csp' | 'coi' | 'model404' | 'modelcorrupt' | 'slow' | `t-${string}`;

export function baseUrl(): string {
  const url = process.env.E2E_BASE_URL;
  if (!url) throw new Error('E2E_BASE_URL is not set: run the suite with `npx playwright test` (global setup starts the server)');
  return url;
}

export function siteUrl(site: 'demo' | 'harness' | 'comlink-app' | 'fixtures', flags: readonly Flag[] = [], path = ''): string {
  return `${baseUrl()}/${flags.length ? flags.join(',') : '-'}/${site}/${path}`;
}

export async function requestLog(tag: `t-${string}`): Promise<LoggedRequest[]> {
  const response = await fetch(`${baseUrl()}/__log/${tag}`);
  return (await response.json()) as LoggedRequest[];
}

/** Console errors, uncaught page errors and CSP violations, collected from the moment of the call. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('crash', () => problems.push('page crashed'));
  return problems;
}
