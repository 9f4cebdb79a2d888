// Evaluation over time: a practitioner answers the survey before the training, takes it,
// answers the survey after it and makes a linking code; three months later, in a fresh
// browser with nothing kept, they answer the follow-up from their site's follow-up link
// and link it by answering the code's questions again; the study's export pairs all
// three surveys. The demo study's opening day is moved 100 days back so that its
// three-month follow-up (day 91 to 118) is open today.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { LAUNCH, expectNoAxeViolations } from './axe.mjs'
import { freePort } from './ports.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const BIN = process.env.SKAFADA_BIN || resolve(here, '../../target/debug/skafada')
const PASSWORD = 'correct horse battery staple'
const PHONE = { width: 360, height: 740 }

let browser
before(async () => { browser = await chromium.launch(LAUNCH) })
after(async () => { await browser?.close() })

async function axe (page, label) {
  await expectNoAxeViolations(page, label)
}

function path (page) { return new URL(page.url()).pathname }

async function press (page, locator) {
  await Promise.all([page.waitForNavigation(), locator.click()])
}

async function continueButton (page) {
  await press(page, page.locator('main form button.govuk-button:not(.govuk-button--secondary)').first())
}

// Every question on a survey page answered with its first option, so that the cleaning
// keeps the record; the your-work page's eligibility answered so that the survey goes on.
async function answerSurvey (page, phase) {
  for (let i = 0; i < 40 && path(page).startsWith(`/survey/${phase}/page/`); i++) {
    if (path(page).endsWith('/your-work')) {
      await page.fill('#start-year', '2015')
      await page.locator('input[name="works-for-la"][value="1"]').check()
      await page.locator('input[name="la-service"][value="1"]').check()
    }
    for (const group of await page.locator('main .govuk-radios').all()) {
      const first = group.locator('input[type="radio"]').first()
      if (await first.isVisible() && !(await group.locator('input:checked').count())) await first.check()
    }
    await continueButton(page)
  }
  assert.equal(path(page), `/survey/${phase}/check-answers`)
  await continueButton(page)
  assert.equal(path(page), `/survey/${phase}/done`)
}

async function fillCode (page, [name, month, town, house]) {
  await page.getByLabel("The first two letters of your mother's first name", { exact: true }).fill(name)
  await page.getByLabel('The month you were born', { exact: true }).fill(month)
  await page.getByLabel('The first letter of the town or city you were born in', { exact: true }).fill(town)
  await page.getByLabel('The last digit of your house number', { exact: true }).fill(house)
  await continueButton(page)
}

test('a practitioner answers before, after and three months on, linked by their code in a fresh browser, and the export pairs all three', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skafada-waves-'))
  const database = `sqlite://${join(dir, 'test.sqlite')}`
  const port = await freePort()
  const server = spawn(BIN, ['serve', '--demo', '--database', database, '--listen', `127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'inherit'] })
  const base = `http://127.0.0.1:${port}`
  try {
    const link = await new Promise((resolve, reject) => {
      let out = ''
      const timer = setTimeout(() => reject(new Error('server did not start: ' + out)), 60000)
      server.stdout.on('data', chunk => {
        out += chunk
        if (out.includes('serving on')) {
          clearTimeout(timer)
          resolve(out.split('\n').filter(l => /^LA01 /.test(l)).map(l => l.split(/\s+/)[1])[0])
        }
      })
      server.on('exit', code => reject(new Error(`server exited ${code}: ${out}`)))
    })
    const created = spawnSync(BIN, ['admin', 'create', '--database', database, '--email', 'admin@example.org', '--role', 'study-admin'],
      { input: PASSWORD + '\n', encoding: 'utf8' })
    assert.equal(created.status, 0, created.stderr)

    // The study admin moves the opening day 100 days back.
    const admin = await browser.newContext()
    const adminPage = await admin.newPage()
    await adminPage.goto(base + '/admin/sign-in')
    await adminPage.fill('#email', 'admin@example.org')
    await adminPage.fill('#password', PASSWORD)
    await continueButton(adminPage)
    await press(adminPage, adminPage.getByRole('link', { name: 'SKAFADA demo' }).first())
    const study = path(adminPage)
    await adminPage.goto(base + study + '/settings')
    const opened = new Date(Date.now() - 100 * 86400000)
    await adminPage.fill('#opens-on-day', String(opened.getUTCDate()))
    await adminPage.fill('#opens-on-month', String(opened.getUTCMonth() + 1))
    await adminPage.fill('#opens-on-year', String(opened.getUTCFullYear()))
    await continueButton(adminPage)
    assert.match(adminPage.url(), /saved=settings/)
    // The site's messages page has the follow-up's message with its own link.
    await adminPage.goto(base + study + '/sites/LA01/messages')
    const token = new URL(link).pathname.split('/').pop()
    const followUpLink = `${base}/f/${token}/follow-up-3m`
    assert.match(await adminPage.locator('#follow-up-3m-body').inputValue(), new RegExp(followUpLink.replace(/[/.]/g, '\\$&')))
    await axe(adminPage, 'site messages with the follow-up')
    await admin.close()

    // Before, the training and after, on a phone, with a linking code.
    const first = await browser.newContext({ viewport: PHONE })
    const page = await first.newPage()
    await page.goto(link)
    await continueButton(page)
    for (const box of await page.locator('.govuk-checkboxes__input').all()) await box.check()
    await continueButton(page)
    await press(page, page.getByRole('button', { name: 'Continue' }))
    assert.equal(path(page), '/link-code')
    await fillCode(page, ['Margaret', 'March', 'York', '147'])
    await answerSurvey(page, 'pre')
    await press(page, page.getByRole('button', { name: 'Start the training' }))
    for (let i = 0; i < 80 && path(page).startsWith('/training'); i++) {
      if (path(page) === '/training') {
        const next = page.locator('main .govuk-grid-row a.govuk-button')
        if (await next.count() === 0) break
        await press(page, next.first())
        continue
      }
      const checks = page.locator('.app-check')
      for (let c = 0; c < await checks.count(); c++) {
        const form = checks.nth(c)
        if (await form.locator('.govuk-inset-text[role="status"]').count() > 0) continue
        await form.locator('input').first().check()
        await press(page, form.locator('button'))
      }
      await press(page, page.getByRole('button', { name: 'Mark as complete and continue' }))
    }
    assert.ok(path(page).startsWith('/survey/post/'), `after training: ${path(page)}`)
    await answerSurvey(page, 'post')
    await first.close()

    // Three months on: a fresh browser, nothing kept, the site's follow-up link.
    const later = await browser.newContext({ viewport: PHONE })
    const again = await later.newPage()
    await again.goto(followUpLink)
    assert.match(await again.locator('h1').innerText(), /Three-month follow-up/)
    await axe(again, 'follow-up start')
    await continueButton(again)
    assert.equal(path(again), '/consent')
    for (const box of await again.locator('.govuk-checkboxes__input').all()) await box.check()
    await continueButton(again)
    await press(again, again.getByRole('button', { name: 'Continue' }))
    assert.equal(path(again), '/follow-up/link')
    await axe(again, 'follow-up link choice')
    // Continue without a choice: an error, linked from the summary to the first option.
    await continueButton(again)
    assert.match(await again.title(), /^Error: /)
    await axe(again, 'follow-up link choice error')
    await again.getByLabel('I made a linking code, or I can answer its questions').check()
    await continueButton(again)
    assert.equal(path(again), '/link-code')
    assert.equal(await again.locator('h1').innerText(), 'Answer the questions of your linking code')
    await axe(again, 'follow-up linking code')
    // The same answers, typed differently.
    await fillCode(again, [' ma ', '3', 'york', 'Flat 2, 147'])
    assert.ok(path(again).startsWith('/survey/follow-up-1/page/'), path(again))
    await axe(again, 'follow-up survey')
    await answerSurvey(again, 'follow-up-1')
    assert.match(await again.locator('main').innerText(), /Your answers will be put beside your earlier ones/)
    await axe(again, 'follow-up done')
    await later.close()

    // The study's export pairs the follow-up with the answers before and after.
    const out = join(dir, 'export')
    const exported = spawnSync(BIN, ['study', 'export', 'SKAFADA demo', '--database', database, '--out', out], { encoding: 'utf8' })
    assert.equal(exported.status, 0, exported.stderr)
    assert.match(exported.stdout, /follow-up-3m: 1 responses; linked by resume code 0, by linking code 1/)
    assert.match(readFileSync(join(out, 'manifest.toml'), 'utf8'), /follow-up = \["follow-up-3m"\]/)
    const analysed = spawnSync(BIN, ['analyse', '--data', out, '--format', 'json'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    assert.equal(analysed.status, 0, analysed.stderr)
    const result = JSON.parse(analysed.stdout)
    // The demo's sites were allocated to delivery arms as they joined: the arms are compared.
    assert.ok(result.by_arm.arms.length >= 2, 'arms compared')
    assert.equal(result.by_arm.without_arm, 0)
    const [wave] = result.over_time
    assert.equal(wave.wave, 'follow-up-3m')
    assert.equal(wave.linked, 1)
    assert.equal(wave.linked_kept, 1, 'kept by the cleaning in all three surveys')
    assert.ok(wave.statements.some(s => s.n === 1), 'statements paired across the three surveys')
    // The plan's declarations: change from before to the follow-up, retention at it, and
    // the arms compared to it, each computed on the linked respondent.
    const change = result.changes.find(c => c.id === 'before-to-3m')
    assert.equal(change.unavailable, null)
    assert.ok(change.statements.some(s => s.n === 1 && s.change !== null), 'a within-person change on the pair')
    assert.equal(result.retention.find(r => r.id === 'kept-at-3m').unavailable, null)
    assert.equal(result.by_arm.comparisons.find(c => c.id === 'arms-at-3m').unavailable, null)
  } finally {
    server.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
})
