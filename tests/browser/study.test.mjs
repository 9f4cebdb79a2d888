// Running a study in real Chromium: a study admin makes a study (with errors first),
// adds a site and its local services, changes the settings and the reminders, and reads
// a site's results; an LA contact reads their own site's results with small counts
// hidden, its training needs and its messages, on a desktop and on a 360 px phone. axe
// runs on every page (zero violations), and one pass runs without JavaScript.
//
// Needs the skafada binary (SKAFADA_BIN, default ../../target/debug/skafada) and
// Chromium at /usr/bin/chromium. The demo study is filled with its synthetic responses.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { LAUNCH, expectNoAxeViolations } from './axe.mjs'
import { freePort } from './ports.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const BIN = process.env.SKAFADA_BIN || resolve(here, '../../target/debug/skafada')
const PASSWORD = 'correct horse battery staple'

let browser
before(async () => { browser = await chromium.launch(LAUNCH) })
after(async () => { await browser?.close() })


function account (database, email, role, extra = []) {
  const created = spawnSync(BIN, ['admin', 'create', '--database', database, '--email', email, '--role', role, ...extra],
    { input: PASSWORD + '\n', encoding: 'utf8' })
  assert.equal(created.status, 0, created.stderr)
}

async function startServer () {
  const dir = mkdtempSync(join(tmpdir(), 'skafada-study-browser-'))
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
  account(database, 'admin@example.org', 'study-admin')
  account(database, 'la08@example.org', 'la-contact', ['--study', 'SKAFADA demo', '--site', 'LA08'])
  return {
    base: `http://127.0.0.1:${port}`,
    stop () { server.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }) }
  }
}

async function axeCheck (page, label) {
  await expectNoAxeViolations(page, label)
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

async function fillDate (page, id, [day, month, year]) {
  await page.fill(`#${id}-day`, day)
  await page.fill(`#${id}-month`, month)
  await page.fill(`#${id}-year`, year)
}

/** Makes a study from uploaded survey files and reads its content page. */
async function studyFromFiles (page, axe) {
  await follow(page, 'Make a study from your own survey, training module and analysis plan files instead')
  assert.equal(await page.locator('h1').innerText(), 'Make a study from files')
  await axe(page, 'make a study from files')
  await submit(page)
  const summary = await page.locator('.govuk-error-summary').innerText()
  assert.match(summary, /Choose the pre-training survey file/)
  assert.match(summary, /Enter the study name/)
  await axe(page, 'make a study from files with errors')
  const pre = resolve(here, '../../instruments/skafada-pre.toml')
  await page.fill('#name', 'From files')
  await page.setInputFiles('#pre-survey', pre)
  await page.setInputFiles('#post-survey', resolve(here, '../../instruments/skafada-post.toml'))
  await fillDate(page, 'opens-on', ['1', '6', '2026'])
  await fillDate(page, 'closes-on', ['31', '7', '2099'])
  await fillDate(page, 'retain-until', ['31', '12', '2100'])
  // The library's participant information is the template: refused for a real study,
  // with the fields still to replace, until the study's own is chosen.
  await submit(page)
  assert.match(await page.locator('.govuk-error-summary').innerText(), /replace the template text marked \[Replace: \.\.\.\] in version, dated, organisation/)
  await axe(page, 'make a study from files with the template participant information')
  await page.setInputFiles('#pre-survey', pre)
  await page.setInputFiles('#post-survey', resolve(here, '../../instruments/skafada-post.toml'))
  await page.setInputFiles('#participant-information', resolve(here, '../../participant-information/example-filled-in.toml'))
  await fillDate(page, 'closes-on', ['31', '7', '2099'])
  await fillDate(page, 'retain-until', ['31', '12', '2100'])
  await submit(page)
  assert.equal(await page.locator('h1').innerText(), 'Surveys, module and plans')
  const digest = createHash('sha256').update(readFileSync(pre)).digest('hex')
  assert.equal(await page.locator('code[data-part="Pre-training survey"]').innerText(), digest)
  assert.equal(await page.locator('tbody tr').count(), 8)
  assert.equal(await page.getByRole('link', { name: 'analysis-plan.toml (Analysis plan)' }).count(), 1)
  assert.equal(await page.getByRole('link', { name: 'follow-up-waves.toml (Waves and linking code)' }).count(), 1)
  assert.equal(await page.getByRole('link', { name: 'participant-information.toml (Participant information and consent)' }).count(), 1)
  await axe(page, 'study content')
}

async function studyAdmin (page, base, axe) {
  await signIn(page, base, 'admin@example.org')
  await axe(page, 'studies')
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Make a study' }).click()])
  await axe(page, 'make a study')
  await studyFromFiles(page, axe)
  await page.goto(base + '/admin/studies/new')
  await submit(page)
  assert.match(await page.title(), /^Error: /)
  const summary = await page.locator('.govuk-error-summary').innerText()
  assert.match(summary, /Enter the study name/)
  assert.match(summary, /Enter the opening date/)
  await axe(page, 'make a study with errors')
  await page.fill('#name', 'SKAFADA 2027')
  // The demo's participant information is the template: a real study cannot copy it.
  await page.getByLabel('The same as SKAFADA demo').check()
  await fillDate(page, 'opens-on', ['1', '6', '2026'])
  await fillDate(page, 'closes-on', ['31', '7', '2099'])
  await fillDate(page, 'retain-until', ['31', '12', '2100'])
  await submit(page)
  assert.match(await page.locator('.govuk-error-summary').innerText(), /participant information of these surveys is a template/)
  await axe(page, 'make a study from a template')
  await page.getByLabel('The same as From files').check()
  await submit(page)
  assert.equal(await page.locator('h1').innerText(), 'Responses')
  assert.match(await page.locator('.govuk-caption-l').first().innerText(), /SKAFADA 2027/)
  await axe(page, 'the new study')
  await follow(page, 'Add a site')
  await page.fill('#code', 'la12')
  await submit(page)
  assert.match(await page.locator('.govuk-error-summary').innerText(), /Enter the site's name/)
  await axe(page, 'add a site with errors')
  await page.fill('#name', 'Northtown Council')
  await page.fill('#region', 'North')
  await page.check('#deprivation-2')
  await submit(page)
  assert.match(await page.locator('.govuk-notification-banner').innerText(), /Site added/)
  await axe(page, 'the new site')
  await page.getByRole('link', { name: /Change\s+local support services/ }).click()
  await page.waitForLoadState()
  await page.fill('#service-name', 'Northtown Women\'s Aid')
  await page.fill('#phone', '0100 111 2222')
  await submit(page)
  assert.match(await page.locator('.govuk-summary-card').innerText(), /Northtown Women's Aid/)
  await axe(page, 'local services')
  await page.goto(page.url().replace('/local-services', '/messages'))
  assert.match(await page.locator('#invitation-body').inputValue(), /Northtown Council is taking part/)
  await axe(page, 'site messages')
  const study = new URL(page.url()).pathname.split('/sites/')[0]
  await page.goto(base + study + '/settings')
  await fillDate(page, 'retain-until', ['1', '1', '2000'])
  await submit(page)
  assert.match(await page.locator('.govuk-error-summary').innerText(), /deletion date must be after the closing date/)
  await axe(page, 'settings with an error')
  await page.goto(base + study + '/messages')
  await axe(page, 'study messages')
}

async function demoResults (page, base, axe) {
  await page.goto(base + '/admin')
  await follow(page, 'SKAFADA demo')
  await axe(page, 'demo monitoring')
  await page.goto(page.url() + '/sites/LA08/dashboard')
  assert.equal(await page.locator('h1').innerText(), 'Results beside all sites')
  assert.equal(await page.locator('abbr', { hasText: '[c]' }).count(), 0, 'a study admin sees every count')
  assert.ok(await page.locator('.app-chart svg').count() > 0, 'the site\'s figures are drawn')
  await axe(page, 'dashboard for a study admin')
  await page.goto(page.url().replace('/sites/LA08/dashboard', '/training-needs'))
  assert.match(await page.locator('main').innerText(), /What practitioners know least about/)
  await axe(page, 'training needs of all sites')
}

async function laContact (page, base, axe, phone) {
  await signIn(page, base, 'la08@example.org')
  await follow(page, 'SKAFADA demo')
  assert.equal(await page.locator('table').first().locator('tbody tr').count(), 1, 'only their own site')
  await axe(page, 'LA contact monitoring')
  await follow(page, 'Your site\'s results beside all sites')
  assert.ok(await page.locator('abbr', { hasText: '[c]' }).count() > 0, 'small counts are hidden')
  assert.doesNotMatch(await page.locator('main').innerText(), /LA0[1-79]|LA1[01]/)
  await axe(page, 'LA dashboard')
  if (phone) {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px; only tables may`)
  }
  await page.goBack()
  await follow(page, 'Your site\'s training needs')
  assert.match(await page.locator('main').innerText(), /Misconceptions most often held/)
  await axe(page, 'LA training needs')
  await page.goBack()
  await follow(page, 'Invitation and reminders to send round')
  assert.match(await page.locator('#reminder-body').inputValue(), /\/s\//)
  await axe(page, 'LA messages')
  await page.goBack()
  await follow(page, 'See and download the surveys, training module and plans this study was made from')
  assert.equal(await page.locator('tbody tr').count(), 8)
  await axe(page, 'LA study content')
  if (phone) {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert.ok(overflow <= 0, `the content page scrolls sideways by ${overflow}px`)
  }
  await page.goBack()
  await follow(page, 'Invitation and reminders to send round')
  const copy = page.getByRole('button', { name: 'Copy the invitation' })
  return copy.isVisible()
}

async function run ({ javaScript, phone }) {
  const axe = javaScript ? axeCheck : async () => {}
  const server = await startServer()
  const viewport = phone ? { width: 360, height: 740 } : { width: 1280, height: 900 }
  const admin = await browser.newContext({ viewport, javaScriptEnabled: javaScript })
  const la = await browser.newContext({ viewport, javaScriptEnabled: javaScript })
  try {
    const page = await admin.newPage()
    if (!phone) {
      await studyAdmin(page, server.base, axe)
      await demoResults(page, server.base, axe)
    }
    const copyShown = await laContact(await la.newPage(), server.base, axe, phone)
    assert.equal(copyShown, javaScript, 'the copy button needs JavaScript, and is hidden without it')
  } finally {
    await admin.close()
    await la.close()
    server.stop()
  }
}

test('a study admin makes a study and a site and reads the results, with no axe violations', async () => {
  await run({ javaScript: true, phone: false })
})

test('an LA contact reads their own results on a 360 px phone, with no axe violations', async () => {
  await run({ javaScript: true, phone: true })
})

test('running a study works without JavaScript', async () => {
  await run({ javaScript: false, phone: false })
})
