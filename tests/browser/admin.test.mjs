// The admin side in real Chromium: sign in (with an error first), the studies list,
// monitoring, a site page and the deletion confirmation, with axe on every page (zero
// violations), at desktop width and with JavaScript off.
//
// Needs the skafada binary (SKAFADA_BIN, default ../../target/debug/skafada) and
// Chromium at /usr/bin/chromium. The account is made with `skafada admin create`,
// reading its password from standard input, in a fresh SQLite file.
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
const EMAIL = 'admin@example.org'
const PASSWORD = 'correct horse battery staple'

let browser
before(async () => { browser = await chromium.launch(LAUNCH) })
after(async () => { await browser?.close() })


async function startServer () {
  const dir = mkdtempSync(join(tmpdir(), 'skafada-admin-browser-'))
  const database = `sqlite://${join(dir, 'test.sqlite')}`
  const port = await freePort()
  // An empty demo study, so that every site is too small to report and has no one to delete.
  const server = spawn(BIN, ['serve', '--demo', '--demo-without-responses', '--database', database, '--listen', `127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error('server did not start: ' + out)), 30000)
    server.stdout.on('data', chunk => {
      out += chunk
      if (out.includes('serving on')) { clearTimeout(timer); resolve() }
    })
    server.on('exit', code => reject(new Error(`server exited ${code}: ${out}`)))
  })
  const created = spawnSync(BIN, ['admin', 'create', '--database', database, '--email', EMAIL, '--role', 'study-admin'],
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

async function submit (page, selector = 'main form button.govuk-button') {
  await Promise.all([page.waitForNavigation(), page.locator(selector).first().click()])
}

async function walk ({ javaScript }) {
  const axe = javaScript ? axeCheck : async () => {}
  const server = await startServer()
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: javaScript })
  const page = await context.newPage()
  try {
    await page.goto(server.base + '/admin')
    assert.equal(new URL(page.url()).pathname, '/admin/sign-in')
    await axe(page, 'sign in')
    await page.fill('#email', EMAIL)
    await page.fill('#password', 'not the password at all')
    await submit(page)
    assert.match(await page.title(), /^Error: /)
    assert.match(await page.locator('.govuk-error-summary').innerText(), /do not match an account/)
    await axe(page, 'sign in with an error')
    await page.fill('#password', PASSWORD)
    await submit(page)
    assert.equal(new URL(page.url()).pathname, '/admin')
    await axe(page, 'studies')
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'SKAFADA demo' }).click()])
    assert.equal(await page.locator('h1').innerText(), 'Responses')
    assert.equal(await page.locator('table').first().locator('tbody tr').count(), 12, 'eleven sites and the total')
    assert.match(await page.locator('.govuk-warning-text').innerText(), /cannot be reported/)
    await axe(page, 'monitoring')
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'LA03', exact: true }).click()])
    await page.fill('#headcount', 'many')
    await submit(page, 'main form[action$="/headcount"] button')
    assert.match(await page.title(), /^Error: /)
    await axe(page, 'site with an error')
    await page.fill('#headcount', '40')
    await submit(page, 'main form[action$="/headcount"] button')
    assert.match(await page.locator('.govuk-summary-list').innerText(), /40/)
    await axe(page, 'site')
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Delete responses' }).click()])
    assert.match(await page.locator('h1').innerText(), /Are you sure/)
    await axe(page, 'delete confirmation')
    await submit(page, 'main form button.govuk-button--warning')
    assert.match(await page.locator('.govuk-notification-banner').innerText(), /Deleted the responses of 0 people from LA03/)
    await axe(page, 'deleted')
    await page.goto(server.base + '/admin/audit')
    assert.match(await page.locator('table').innerText(), /site-data-deleted/)
    await axe(page, 'audit log')
    await submit(page, 'nav form button')
    assert.equal(await page.locator('h1').innerText(), 'You have signed out')
    await axe(page, 'signed out')
    await page.goto(server.base + '/admin')
    assert.equal(new URL(page.url()).pathname, '/admin/sign-in')
  } finally {
    await context.close()
    server.stop()
  }
}

test('admin sign-in, monitoring, a site and deleting its data pass axe with no violations', async () => {
  await walk({ javaScript: true })
})

test('admin pages work without JavaScript', async () => {
  await walk({ javaScript: false })
})
