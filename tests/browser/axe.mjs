// The one accessibility check every browser test uses, and the Chromium they all launch.
import assert from 'node:assert/strict'
import { AxeBuilder } from '@axe-core/playwright'

/** Debian's Chromium, headless, with nothing that reaches the network on its own. */
export const LAUNCH = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync']
}

/** WCAG 2.2 A and AA, and axe's best practices. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']

/**
 * Runs axe on the page as it is now and fails with every violation found.
 *
 * axe runs in the page itself (`axe.run`, the builder's "legacy" mode) rather than in
 * parts gathered in a second, blank page: that is half the time per check, and it tests
 * the same thing on pages without frames. The service's pages have none, which is
 * asserted here, so a page that gains a frame is not checked less without notice.
 */
export async function expectNoAxeViolations (page, label) {
  assert.equal(await page.locator('iframe, frame').count(), 0,
    `${label} (${page.url()}) has a frame: check it with the builder's default, frame-by-frame mode`)
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).setLegacyMode(true).analyze()
  const summary = results.violations.map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`)
  assert.deepEqual(summary, [], `axe violations on ${label} (${page.url()})`)
}
