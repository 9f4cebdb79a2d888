// The one accessibility check every browser test uses, and the Chromium they all launch.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { AxeBuilder } from '@axe-core/playwright'

/**
 * The axe-core the builder itself loads, in its minified build (same rules, under half
 * the size), guarded so that the builder's second injection into the same page, which it
 * makes on every check, does not set axe up again: per check that is about a third less
 * time in the page, in Chromium's browser process and in Node.
 */
const builderRequire = createRequire(createRequire(import.meta.url).resolve('@axe-core/playwright'))
const AXE_SOURCE = `if (!window.axe) {\n${readFileSync(builderRequire.resolve('axe-core/axe.min.js'), 'utf8')}\n}`

/** Debian's Chromium, headless, with nothing that reaches the network on its own. */
export const LAUNCH = {
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync']
}

/** WCAG 2.2 A and AA, and axe's best practices. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']

/**
 * Runs axe on the page as it is now and fails with every violation found, then checks
 * what axe does not (`expectNamedControlsAndTargets`).
 *
 * axe runs in the page itself (`axe.run`, the builder's "legacy" mode) rather than in
 * parts gathered in a second, blank page: that is half the time per check, and it tests
 * the same thing on pages without frames. The service's pages have none, which is
 * asserted here, so a page that gains a frame is not checked less without notice.
 */
export async function expectNoAxeViolations (page, label) {
  assert.equal(await page.locator('iframe, frame').count(), 0,
    `${label} (${page.url()}) has a frame: check it with the builder's default, frame-by-frame mode`)
  // Only violations are asserted, so axe keeps every violating node but not every
  // passing one (`resultTypes`); options before tags, as `options` replaces both.
  const results = await new AxeBuilder({ page, axeSource: AXE_SOURCE })
    .options({ resultTypes: ['violations'] }).withTags(AXE_TAGS).setLegacyMode(true).analyze()
  const summary = results.violations.map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`)
  assert.deepEqual(summary, [], `axe violations on ${label} (${page.url()})`)
  await expectNamedControlsAndTargets(page, label)
}

/**
 * What axe does not check, checked on every page: every control has an accessible name;
 * every button, field and stand-alone link is at least 24 by 24 CSS pixels or spaced as
 * WCAG 2.2's 2.5.8 allows; nothing but a scrolling table region is wider than the screen.
 */
export async function expectNamedControlsAndTargets (page, label) {
  const problems = await page.evaluate(() => {
    const found = []
    const nameOf = el => {
      const labelled = el.getAttribute('aria-labelledby')
      if (labelled) return labelled.split(' ').map(id => document.getElementById(id)?.textContent || '').join(' ').trim()
      if (el.getAttribute('aria-label')) return el.getAttribute('aria-label').trim()
      if (el.id) {
        const label = document.querySelector(`label[for="${CSS.escape(el.id)}"]`)
        if (label) return label.textContent.trim()
      }
      if (el.tagName === 'INPUT' && ['submit', 'button'].includes(el.type)) return (el.value || '').trim()
      return (el.textContent || '').trim()
    }
    const controls = [...document.querySelectorAll('main a[href], main button, main input:not([type=hidden]), main select, main textarea')]
      .filter(el => { const box = el.getBoundingClientRect(); return box.width > 0 || box.height > 0 })
    // GOV.UK radios and checkboxes hide the input under a 40 px (24 px small) box.
    const targetOf = el => ['radio', 'checkbox'].includes(el.type) ? el.parentElement.querySelector('label') : el
    const boxes = controls.map(el => targetOf(el).getBoundingClientRect())
    for (const [i, el] of controls.entries()) {
      if (!nameOf(el)) found.push(`no accessible name: ${el.outerHTML.slice(0, 80)}`)
      // Links inside a sentence are exempt from the target size (2.5.8, inline).
      const inline = el.tagName === 'A' && el.closest('p, li, td, dd, figcaption') && !el.classList.contains('govuk-button')
      const size = boxes[i]
      if (inline || (size.width >= 24 && size.height >= 24)) continue
      // The spacing exception: a 24 px square centred on the target touches no other target.
      const cx = size.left + size.width / 2
      const cy = size.top + size.height / 2
      const clash = boxes.some((other, j) => j !== i && other.left < cx + 12 && other.right > cx - 12 && other.top < cy + 12 && other.bottom > cy - 12)
      if (clash) found.push(`target under 24 px and too close to another (${Math.round(size.width)}x${Math.round(size.height)}): ${el.outerHTML.slice(0, 80)}`)
    }
    // Nothing but a scrolling table region may be wider than the screen.
    if (document.documentElement.scrollWidth > window.innerWidth + 1) {
      const wide = [...document.querySelectorAll('main *')].find(el => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.app-table-scroll'))
      found.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} > ${window.innerWidth} (${wide ? wide.outerHTML.slice(0, 120) : 'inside a scrolling region'})`)
    }
    return found
  })
  assert.deepEqual(problems, [], `${label} (${page.url()}): ${problems.join('; ')}`)
}
