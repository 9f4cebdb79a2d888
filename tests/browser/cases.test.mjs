// The case studies in real Chromium: an analyst adds an interview (with errors first),
// imports a Word transcript and reviews its redactions, indexes passages (selecting the
// words with the mouse, or without JavaScript by ticking a turn and typing them), writes
// a matrix summary, downloads the matrix as XLSX (read back with openpyxl), and reads the
// agreement, the document audit and the findings by research question of the demo's
// synthetic case studies. On a desktop and a 360 px phone with axe on every page (zero
// violations) and our own checks of accessible names and tap targets, and once without
// JavaScript importing WebVTT captions. An LA contact gets "Page not found".
//
// Needs the skafada binary (SKAFADA_BIN, default ../../target/debug/skafada), Chromium at
// /usr/bin/chromium and the workspace's .venv with openpyxl (scripts/test-all installs it).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { LAUNCH, expectNamedControlsAndTargets, expectNoAxeViolations } from './axe.mjs'
import { freePort } from './ports.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const BIN = process.env.SKAFADA_BIN || resolve(here, '../../target/debug/skafada')
const PYTHON = resolve(here, '../../.venv/bin/python')
const READ_XLSX = resolve(here, '../../crates/export/tests/read_xlsx.py')
const PASSWORD = 'correct horse battery staple'
const SHOTS = process.env.CASE_STUDY_SCREENSHOTS

let browser
before(async () => { browser = await chromium.launch(LAUNCH) })
after(async () => { await browser?.close() })


function account (database, email, role, extra = []) {
  const created = spawnSync(BIN, ['admin', 'create', '--database', database, '--email', email, '--role', role, ...extra],
    { input: PASSWORD + '\n', encoding: 'utf8' })
  assert.equal(created.status, 0, created.stderr)
}

async function startServer () {
  const dir = mkdtempSync(join(tmpdir(), 'skafada-cases-browser-'))
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
  account(database, 'analyst@example.org', 'analyst', ['--study', 'SKAFADA demo'])
  account(database, 'la01@example.org', 'la-contact', ['--study', 'SKAFADA demo', '--site', 'LA01'])
  return {
    base: `http://127.0.0.1:${port}`,
    dir,
    stop () { server.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }) }
  }
}

/** axe (WCAG 2.2 AA), then our own checks: every control has an accessible name, and
 * every button, field and stand-alone link is at least 24 by 24 CSS pixels (2.5.8); the
 * own checks alone where axe is not run (the pass without JavaScript). */
async function checkPage (page, label, { axe }) {
  if (axe) await expectNoAxeViolations(page, label)
  else await expectNamedControlsAndTargets(page, label)
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `${label.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true })
}

async function submit (page, selector = 'main form button.govuk-button') {
  await Promise.all([page.waitForNavigation(), page.locator(selector).first().click()])
}

async function follow (page, name) {
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name, exact: true }).first().click()])
}

async function signIn (page, base, email) {
  await page.goto(base + '/admin/sign-in')
  await page.fill('#email', email)
  await page.fill('#password', PASSWORD)
  await submit(page)
  assert.equal(new URL(page.url()).pathname, '/admin')
}

async function toCaseStudies (page, base, check) {
  await signIn(page, base, 'analyst@example.org')
  await follow(page, 'SKAFADA demo')
  await follow(page, 'Case studies: interviews, the framework matrix, the document audit and the findings by research question')
  assert.equal(await page.locator('h1').innerText(), 'Case studies')
  assert.equal(await page.locator('table').first().locator('tbody tr').count(), 3, 'three case-study sites')
  await check(page, 'case studies')
}

/** Adds an interview at case study 1 after the form's errors; returns its page's URL. */
async function addInterview (page, check, role) {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Add an interview' }).click()])
  await submit(page)
  assert.match(await page.title(), /^Error: /)
  const summary = await page.locator('.govuk-error-summary').innerText()
  assert.match(summary, /Select the case-study site/)
  assert.match(summary, /Select the participant's role/)
  assert.match(summary, /Enter the date of the interview/)
  await check(page, 'add an interview with errors')
  await page.getByLabel('Case study 1 (LA01)').check()
  await page.getByLabel(role, { exact: true }).check()
  await page.fill('#interviewed-on-day', '12')
  await page.fill('#interviewed-on-month', '3')
  await page.fill('#interviewed-on-year', '2026')
  await page.fill('#mode', 'Online (Teams)')
  await page.fill('#interviewer', 'Researcher A')
  await page.getByLabel('Interviewed', { exact: true }).check()
  await page.fill('#consent-recorded-by', 'Researcher A')
  await submit(page)
  assert.equal(await page.locator('h1').innerText(), 'Interview CS1-P06')
  return page.url()
}

async function importTranscript (page, check, file, terms) {
  await page.setInputFiles('#transcript', resolve(here, 'fixtures', file))
  await page.fill('#terms', terms)
  await submit(page)
  assert.match(await page.locator('.govuk-inset-text').first().innerText(), /Check the redactions/)
}

async function desktop ({ phone }) {
  const server = await startServer()
  const viewport = phone ? { width: 360, height: 740 } : { width: 1280, height: 900 }
  const context = await browser.newContext({ viewport, acceptDownloads: true })
  const check = (page, label) => checkPage(page, `${phone ? 'phone' : 'desktop'} ${label}`, { axe: true })
  try {
    const page = await context.newPage()
    await toCaseStudies(page, server.base, check)
    const interview = await addInterview(page, check, 'Middle manager')
    await check(page, 'new interview')

    // A file of the wrong kind first, then the Word transcript.
    await page.setInputFiles('#transcript', resolve(here, 'fixtures', 'make_fixtures.py'))
    await submit(page)
    assert.match(await page.locator('.govuk-error-summary').innerText(), /must be a Word document/)
    await check(page, 'transcript with an error')
    await importTranscript(page, check, 'interview.docx', "Ashford Mill Children's Centre\nShah")
    const replaced = await page.locator('table').first().innerText()
    assert.match(replaced, /Priya/)
    assert.match(replaced, /\[redacted 1\]/)
    const stored = await page.locator('.app-transcript').innerText()
    assert.doesNotMatch(stored, /Priya|Shah|Ashford/)
    await check(page, 'transcript review')
    await page.goto(interview)
    assert.doesNotMatch(await page.locator('main').innerText(), /Priya/, 'the words replaced are not kept')
    await submit(page, 'button:has-text("Accept the transcript for coding")')
    assert.equal(await page.locator('h1').innerText(), 'Index passages of CS1-P06')
    await check(page, 'indexing')

    // Selecting words in a turn fills in the exact words and selects that turn alone.
    const turn = page.locator('.app-turn', { hasText: 'Participant' }).nth(1)
    const text = turn.locator('[data-quote-turn] p').first()
    const words = await text.evaluate(p => {
      const node = p.firstChild
      const range = document.createRange()
      range.setStart(node, 0)
      range.setEnd(node, Math.min(40, node.textContent.length))
      const selection = window.getSelection()
      selection.removeAllRanges()
      selection.addRange(range)
      p.parentElement.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }))
      return range.toString().trim()
    })
    assert.equal(await page.inputValue('#quote'), words)
    assert.equal(await turn.locator('input[name="turn"]').isChecked(), true)
    await page.getByLabel('Asking about domestic abuse').check()
    await page.getByLabel('Select as a quotation for the report').check()
    await page.fill('#memo', 'Asks once a referral names it.')
    await submit(page, 'button:has-text("Add the passage")')
    assert.match(await page.locator('.app-passage').first().innerText(), /Asking about domestic abuse/)
    await check(page, 'indexing with a passage')

    // The matrix, a cell and its summary.
    await page.goto(server.base + new URL(interview).pathname.replace(/interviews\/.*$/, 'matrix'))
    assert.equal(await page.locator('h1').innerText(), 'Framework matrix')
    await check(page, 'matrix')
    await page.goto(server.base + new URL(interview).pathname.replace(/interviews\/.*$/, 'matrix/CS1-P06/skills-asking'))
    await check(page, 'matrix cell')
    await page.fill('#summary', 'Asks about domestic abuse once a referral names it.')
    await submit(page)
    assert.match(await page.locator('main').innerText(), /Asks about domestic abuse once a referral names it\./)

    // The workbook, read back by openpyxl.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'The matrix as an Excel workbook (XLSX), one sheet per theme' }).click()
    ])
    const xlsx = join(server.dir, 'matrix.xlsx')
    await download.saveAs(xlsx)
    assert.ok(existsSync(PYTHON), `${PYTHON} is missing: run scripts/test-all`)
    const read = spawnSync(PYTHON, [READ_XLSX, xlsx], { encoding: 'utf8' })
    assert.equal(read.status, 0, read.stderr)
    const book = JSON.parse(read.stdout)
    assert.equal(book.sheets.length, 8)
    const skills = book.sheets.find(s => s.name.startsWith('Practitioners'))
    const cs106 = skills.rows.find(r => r[0] === 'CS1-P06')
    assert.ok(cs106.some(cell => cell && cell.startsWith('Asks about domestic abuse once a referral names it.')))

    // The demo's double coding, document audit and findings.
    await follow(page, 'Back')
    await follow(page, 'Agreement between coders')
    assert.match(await page.locator('table').first().innerText(), /Cohen/)
    await check(page, 'agreement')
    await follow(page, 'Back')
    await follow(page, 'Document audit')
    assert.match(await page.locator('table').first().innerText(), /Case study 1 \(LA01\)/)
    await check(page, 'document audit')
    await follow(page, 'Back')
    await follow(page, 'Findings by research question')
    const findings = await page.locator('main').innerText()
    assert.match(findings, /Research question 7\./)
    assert.match(findings, /Early Help\/Family Support practitioner, case study 1/)
    assert.match(findings, /from head of service at case study 1 (is|are) not shown/)
    assert.doesNotMatch(findings, /CS1-P0/, 'findings name no pseudonym')
    await check(page, 'findings')

    // An LA contact finds nothing here.
    const la = await context.browser().newContext({ viewport })
    const laPage = await la.newPage()
    await signIn(laPage, server.base, 'la01@example.org')
    const response = await laPage.goto(server.base + new URL(interview).pathname.replace(/\/interviews\/.*$/, ''))
    assert.equal(response.status(), 404)
    assert.equal(await laPage.locator('h1').innerText(), 'Page not found')
    await la.close()
  } finally {
    await context.close()
    server.stop()
  }
}

async function withoutJavaScript () {
  const server = await startServer()
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false })
  const check = (page, label) => checkPage(page, `no-js ${label}`, { axe: false })
  try {
    const page = await context.newPage()
    await toCaseStudies(page, server.base, check)
    await addInterview(page, check, 'Early Help/Family Support practitioner')
    await importTranscript(page, check, 'interview.vtt', 'Gareth Lloyd\nWestbury Vale')
    assert.doesNotMatch(await page.locator('.app-transcript').innerText(), /Gareth|Westbury/)
    await submit(page, 'button:has-text("Accept the transcript for coding")')
    // Tick the turn and type the words: no selection script runs.
    const turn = page.locator('.app-turn', { hasText: 'Participant' }).first()
    const first = (await turn.locator('[data-quote-turn] p').first().innerText()).split(' ').slice(0, 5).join(' ')
    await turn.locator('input[name="turn"]').check()
    await page.getByLabel('Training provided').check()
    await page.fill('#quote', first)
    await submit(page, 'button:has-text("Add the passage")')
    const passage = await page.locator('.app-passage').first().innerText()
    assert.match(passage, /Training provided/)
    assert.ok(passage.includes(first), passage)
    await check(page, 'indexing')
  } finally {
    await context.close()
    server.stop()
  }
}

test('an analyst imports, reviews, indexes and charts a Word transcript on a desktop, with no axe violations', async () => {
  await desktop({ phone: false })
})

test('the case studies work on a 360 px phone, with no axe violations', async () => {
  await desktop({ phone: true })
})

test('WebVTT captions are imported and indexed without JavaScript', async () => {
  await withoutJavaScript()
})
