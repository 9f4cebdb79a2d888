// An LA contact's dashboard and one-page summary in real Chromium: the headline measures
// lead, each group's chart is an accessible image with its table beside it, and the
// summary links to its PDF; at a 360 px phone and at desktop width with axe on every page
// (zero violations), and both again without JavaScript.
//
// Needs the skafada binary (SKAFADA_BIN, default ../../target/debug/skafada) and
// Chromium at /usr/bin/chromium. The demo study is filled with its synthetic responses.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { LAUNCH, expectNoAxeViolations } from './axe.mjs'
import { freePort } from './ports.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const BIN = process.env.SKAFADA_BIN || resolve(here, '../../target/debug/skafada')
const PASSWORD = 'correct horse battery staple'
const EMAIL = 'la08@example.org'

let browser
before(async () => { browser = await chromium.launch(LAUNCH) })
after(async () => { await browser?.close() })


async function startServer () {
  const dir = mkdtempSync(join(tmpdir(), 'skafada-dashboard-browser-'))
  const database = `sqlite://${join(dir, 'test.sqlite')}`
  const port = await freePort()
  const server = spawn(BIN, ['serve', '--demo', '--database', database, '--listen', `127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error('server did not start: ' + out)), 60000)
    server.stdout.on('data', chunk => {
      out += chunk
      if (out.includes('serving on')) { clearTimeout(timer); resolve() }
    })
    server.on('exit', code => reject(new Error(`server exited ${code}: ${out}`)))
  })
  const created = spawnSync(BIN, ['admin', 'create', '--database', database, '--email', EMAIL,
    '--role', 'la-contact', '--study', 'SKAFADA demo', '--site', 'LA08'],
  { input: PASSWORD + '\n', encoding: 'utf8' })
  assert.equal(created.status, 0, created.stderr)
  return {
    base: `http://127.0.0.1:${port}`,
    stop () { server.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }) }
  }
}

async function axeCheck (page, label) {
  await expectNoAxeViolations(page, label)
}

async function follow (page, name) {
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name, exact: true }).first().click()])
}

async function noSidewaysScroll (page, label) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 0, `${label} scrolls sideways by ${overflow}px; only tables may`)
}

async function run ({ javaScript, phone }) {
  const axe = javaScript ? axeCheck : async () => {}
  const server = await startServer()
  const viewport = phone ? { width: 360, height: 740 } : { width: 1280, height: 900 }
  const context = await browser.newContext({ viewport, javaScriptEnabled: javaScript, acceptDownloads: true })
  const page = await context.newPage()
  try {
    await page.goto(server.base + '/admin/sign-in')
    await page.fill('#email', EMAIL)
    await page.fill('#password', PASSWORD)
    await Promise.all([page.waitForNavigation(), page.locator('main form button.govuk-button').first().click()])
    await follow(page, 'SKAFADA demo')
    await follow(page, 'Your site\'s results beside all sites')
    assert.equal(await page.locator('h1').innerText(), 'Results beside all sites')
    // The headline measures come first, then the differences, change and the detail.
    const headings = await page.locator('main h2').allInnerTexts()
    assert.deepEqual(headings.slice(0, 4), ['Headline measures', 'Where this site differs from all sites',
      'Change after the training', 'Every answer in detail'])
    // Each group of measures is a chart with an accessible name, and its table after it.
    const groups = await page.locator('main h3').filter({ hasText: 'Know quite a bit or a lot' }).count()
    assert.ok(groups >= 1)
    const chart = page.getByRole('img', { name: /^Know quite a bit or a lot/, includeHidden: true })
    assert.equal(await chart.count(), 2, 'a wide and a narrow drawing of the chart')
    const visible = []
    for (const svg of await chart.all()) { if (await svg.isVisible()) visible.push(svg) }
    assert.equal(visible.length, 1, 'one drawing of each chart shows at a time')
    const box = await visible[0].boundingBox()
    assert.ok(box.width <= viewport.width, `the chart fits the screen (${box.width}px)`)
    if (phone) assert.ok(box.width < 400, 'the narrow drawing shows on a phone')
    assert.match(await visible[0].locator('desc').textContent(), /The numbers are in the table beside it/)
    const table = page.getByRole('table', { name: 'Know quite a bit or a lot: the chart\'s numbers' })
    assert.equal(await table.count(), 1, 'the chart\'s table is beside it')
    assert.ok(await table.locator('tbody tr').count() >= 18)
    // LA08 is urban: it is compared with the six urban sites too.
    assert.equal(await table.locator('thead th', { hasText: 'Similar sites' }).count(), 1)
    assert.match(await visible[0].innerHTML(), />Similar sites<\/text>/)
    if (process.env.SUMMARY_PNG) await visible[0].screenshot({ path: `${process.env.SUMMARY_PNG}-chart-${phone ? 'phone' : 'desktop'}.png` })
    // Shown figures with their likely range, and LA08's 44 responses show nearly all.
    assert.match(await table.locator('tbody tr').first().innerText(), /\d+% \(\d+ of \d+\)\s+\d+% to \d+%\s+\d+%/)
    const shown = Number(await page.locator('[data-meta="shown"]').first().innerText())
    const total = Number(await page.locator('[data-meta="total"]').first().innerText())
    assert.ok(shown * 10 >= total * 9, `${shown} of ${total} headline measures shown`)
    assert.doesNotMatch(await page.locator('main').innerText(), /LA0[1-79]|LA1[01]/)
    await axe(page, 'LA dashboard')
    if (phone) await noSidewaysScroll(page, 'the dashboard')

    await follow(page, 'One-page summary for a workforce development board (web page and PDF)')
    assert.equal(await page.locator('h1').innerText(), 'Workforce survey summary')
    assert.deepEqual(await page.locator('main h2').allInnerTexts(), ['Headline measures',
      'Where this site differs from all sites', 'Change after the training',
      'The three largest gaps and what addresses them'])
    assert.equal(await page.locator('main ol li').count(), 3, 'the three largest gaps')
    assert.match(await page.locator('main ol').innerText(), /Training module:[\s\S]*Report implications:/)
    await axe(page, 'LA summary')
    if (phone) await noSidewaysScroll(page, 'the summary')
    const link = page.getByRole('link', { name: 'Download this summary as a PDF' })
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
    assert.match(download.suggestedFilename(), /^LA08-summary\.pdf$/)
    const path = await download.path()
    // Rendered to an image for a person to look at.
    if (process.env.SUMMARY_PNG && !phone && javaScript) {
      spawnSync('pdftoppm', ['-r', '80', '-png', path, process.env.SUMMARY_PNG])
    }
    const info = spawnSync('pdfinfo', [path], { encoding: 'utf8' })
    assert.equal(info.status, 0, info.stderr)
    assert.match(info.stdout, /Pages:\s+1\n/)
    assert.match(info.stdout, /Tagged:\s+yes/, 'the PDF is tagged for screen readers')
    assert.match(info.stdout, /Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/)
  } finally {
    await context.close()
    server.stop()
  }
}

test('an LA contact reads the dashboard and the one-page summary at desktop width, with no axe violations', async () => {
  await run({ javaScript: true, phone: false })
})

test('an LA contact reads the dashboard and the one-page summary on a 360 px phone, with no axe violations', async () => {
  await run({ javaScript: true, phone: true })
})

test('the dashboard and the one-page summary work without JavaScript, at desktop width and on a phone', async () => {
  await run({ javaScript: false, phone: false })
  await run({ javaScript: false, phone: true })
})
