// The whole respondent journey in real Chromium: a 360 px phone and a desktop
// viewport, axe on every page (zero violations), routing, resume with the code, the
// certificate download, and one pass with JavaScript disabled.
//
// Needs the skafada binary (SKAFADA_BIN, default ../../target/debug/skafada) and
// Chromium at /usr/bin/chromium. Each test starts its own server with the demo study
// in a fresh SQLite file.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { LAUNCH, expectNoAxeViolations } from './axe.mjs'
import { freePort } from './ports.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const BIN = process.env.SKAFADA_BIN || resolve(here, '../../target/debug/skafada')

let browser
before(async () => { browser = await chromium.launch(LAUNCH) })
after(async () => { await browser?.close() })


async function startServer (env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'skafada-browser-'))
  const port = await freePort()
  const server = spawn(BIN, ['serve', '--demo', '--database', `sqlite://${join(dir, 'test.sqlite')}`,
    '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } })
  const links = await new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error('server did not start: ' + out)), 30000)
    server.stdout.on('data', chunk => {
      out += chunk
      if (out.includes('serving on')) {
        clearTimeout(timer)
        resolve(out.split('\n').filter(l => /^LA\d\d /.test(l)).map(l => l.split(/\s+/)[1]))
      }
    })
    server.on('exit', code => reject(new Error(`server exited ${code}: ${out}`)))
  })
  return {
    base: `http://127.0.0.1:${port}`,
    link: links[0],
    stop () { server.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }) }
  }
}

const checked = new Set()
async function axeCheck (page, label) {
  await expectNoAxeViolations(page, label)
  checked.add(new URL(page.url()).pathname)
}

function path (page) { return new URL(page.url()).pathname }

// From the site's link through consent to the first page of the survey.
async function consentFrom (page, link) {
  await page.goto(link)
  await continueButton(page)
  for (const box of await page.locator('.govuk-checkboxes__input').all()) await box.check()
  await continueButton(page)
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Continue' }).click()])
  // The optional linking code, skipped.
  if (path(page) === '/link-code') {
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Skip making a code' }).click()])
  }
}

async function continueButton (page) {
  await Promise.all([page.waitForNavigation(), page.locator('main form button.govuk-button:not(.govuk-button--secondary)').first().click()])
}

async function journey ({ width, height, javaScript, label }) {
  // axe runs as a script in the page, so the pass without JavaScript checks behaviour
  // only; the same pages were checked by axe in the passes with JavaScript.
  const axe = javaScript ? axeCheck : async () => {}
  const server = await startServer()
  const context = await browser.newContext({ viewport: { width, height }, javaScriptEnabled: javaScript, acceptDownloads: true })
  const page = await context.newPage()
  const offsite = []
  page.on('request', r => { if (!r.url().startsWith(server.base) && !r.url().startsWith('data:')) offsite.push(r.url()) })
  try {
    await page.goto(server.link)
    await axe(page, `${label} start`)
    assert.ok(await page.locator('.govuk-exit-this-page').isVisible())
    await continueButton(page)
    assert.equal(path(page), '/consent')
    // Consent: an error first, then all six statements.
    await continueButton(page)
    assert.match(await page.title(), /^Error: /)
    await axe(page, `${label} consent error`)
    // The participant information, linked from consent: the demonstration's template,
    // marked as such, and the study's own wording of the statements.
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: /^participant information \(version/ }).click()])
    assert.equal(path(page), '/participant-information')
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Participant information')
    assert.match(await page.locator('.govuk-inset-text').first().textContent(), /demonstration study/)
    for (const heading of ['Who is running the study?', 'Will my taking part be kept confidential?', 'What are my rights?', 'Who has reviewed the study?', 'What you will be asked to agree to']) {
      assert.ok(await page.getByRole('heading', { name: heading, level: 2 }).isVisible(), heading)
    }
    assert.ok(await page.locator('.govuk-exit-this-page').isVisible())
    await axe(page, `${label} participant information`)
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Back to the consent form' }).click()])
    assert.equal(path(page), '/consent')
    assert.match(await page.getByText(/cannot be withdrawn, because they cannot be identified as mine/).textContent(), /voluntary/)
    for (const box of await page.locator('.govuk-checkboxes__input').all()) await box.check()
    await continueButton(page)
    const code = (await page.locator('#resume-code').textContent()).trim()
    assert.match(code, /^[A-Z2-9]{4}(-[A-Z2-9]{4}){4}$/)
    await axe(page, `${label} resume code`)
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Continue' }).click()])

    // The optional linking code: each question has a label and an 'I don't know' box.
    assert.equal(path(page), '/link-code')
    await axe(page, `${label} linking code`)
    await page.getByLabel("The first two letters of your mother's first name", { exact: true }).fill('Margaret')
    await page.getByLabel('The month you were born', { exact: true }).fill('March')
    await page.getByLabel('The first letter of the town or city you were born in', { exact: true }).fill('York')
    // The house number left blank without 'I don't know': the page again, as typed.
    await continueButton(page)
    assert.match(await page.title(), /^Error: /)
    await axe(page, `${label} linking code error`)
    assert.equal(await page.getByLabel('The month you were born', { exact: true }).inputValue(), 'March')
    await page.locator('#link-house-number-dont-know').check()
    await continueButton(page)

    // The pre-training survey, with routing and a validation error on the way.
    for (let i = 0; i < 40 && path(page).startsWith('/survey/pre/page/'); i++) {
      await axe(page, `${label} ${path(page)}`)
      if (path(page).endsWith('/your-work')) {
        const followUp = page.locator('input[name="la-service"][value="1"]')
        assert.ok(!(await followUp.isVisible()), 'la-service follows the answer')
        await page.fill('#start-year', '2999')
        await page.locator('input[name="works-for-la"][value="1"]').check()
        // With JavaScript the follow-up appears in place; without, after Continue.
        assert.equal(await followUp.isVisible(), javaScript, 'la-service revealed in place only with JavaScript')
        if (javaScript) {
          assert.equal(await page.locator('input[name="works-for-la"][value="1"]').getAttribute('aria-controls'), 'la-service-follow-up')
          await axe(page, `${label} follow-up revealed in place`)
        }
        await continueButton(page)
        assert.match(await page.title(), /^Error: /)
        assert.ok(await page.locator('.govuk-error-summary').isVisible())
        await axe(page, `${label} your-work error`)
        await page.fill('#start-year', '2015')
        if (!javaScript) {
          // Without JavaScript, Continue shows the page again with the follow-up.
          await continueButton(page)
          assert.ok(path(page).endsWith('/your-work'), 'the follow-up question is shown')
          assert.ok(await page.locator('#question-added').isVisible(), 'and says so')
        }
        assert.equal(await page.locator('input[name="la-service"]').count(), 12)
        assert.ok(await followUp.isVisible())
        await followUp.check()
      } else {
        // A matrix stays one statement per fieldset at any width.
        const radios = page.locator('fieldset .govuk-radios')
        if (await radios.count() > 0) await radios.first().locator('input').first().check()
      }
      await continueButton(page)
    }
    assert.equal(path(page), '/survey/pre/check-answers')
    await axe(page, `${label} check answers`)
    assert.ok(await page.getByText('Early Help Hub').isVisible())
    await continueButton(page)
    assert.equal(path(page), '/survey/pre/done')
    await axe(page, `${label} pre done`)
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Start the training' }).click()])

    // The training: answer every knowledge check, mark each section complete.
    assert.equal(path(page), '/training')
    await axe(page, `${label} training contents`)
    let resumed = false
    for (let i = 0; i < 60 && path(page).startsWith('/training'); i++) {
      if (path(page) === '/training') {
        const next = page.locator('main .govuk-grid-row a.govuk-button')
        if (await next.count() === 0) break
        await Promise.all([page.waitForNavigation(), next.first().click()])
        continue
      }
      if (i < 4) await axe(page, `${label} ${path(page)}`)
      const checks = page.locator('.app-check')
      const count = await checks.count()
      for (let c = 0; c < count; c++) {
        const form = page.locator('.app-check').nth(c)
        if (await form.locator('.govuk-inset-text[role="status"]').count() > 0) continue
        await form.locator('input').first().check()
        await Promise.all([page.waitForNavigation(), form.locator('button').click()])
        if (c === 0 && i < 4) await axe(page, `${label} knowledge check feedback`)
      }
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Mark as complete and continue' }).click()])
      if (!resumed && i === 3) {
        // Resume with the code on another "device" (a fresh browser context).
        resumed = true
        const other = await browser.newContext({ viewport: { width, height }, javaScriptEnabled: javaScript })
        const otherPage = await other.newPage()
        await otherPage.goto(`${server.base}/resume`)
        await axe(otherPage, `${label} resume`)
        await otherPage.fill('#code', code.toLowerCase())
        await continueButton(otherPage)
        assert.ok(path(otherPage).startsWith('/training'), `resumed at ${path(otherPage)}`)
        await other.close()
      }
    }
    assert.ok(path(page).startsWith('/survey/post/'), `after training: ${path(page)}`)

    // The post-training survey.
    for (let i = 0; i < 40 && path(page).startsWith('/survey/post/page/'); i++) {
      await axe(page, `${label} ${path(page)}`)
      await continueButton(page)
    }
    assert.equal(path(page), '/survey/post/check-answers')
    await continueButton(page)
    await axe(page, `${label} post done`)
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Get your certificate' }).click()])

    // The certificate.
    assert.equal(path(page), '/certificate')
    await axe(page, `${label} certificate`)
    await page.fill('#name', 'Sam Example')
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Download certificate/ }).click()])
    // Each download has a new code, which names the file (the page cannot show it first).
    const named = download.suggestedFilename().match(/^cpd-certificate-([A-Z2-9]{5}-[A-Z2-9]{5}-[A-Z2-9]{5})\.pdf$/)
    assert.ok(named, `the file is named by its code: ${download.suggestedFilename()}`)
    const verification = named[1]
    const file = await download.path()
    const { readFileSync } = await import('node:fs')
    assert.match(readFileSync(file).subarray(0, 8).toString(), /^%PDF-1\.\d/)
    const { execFileSync } = await import('node:child_process')
    const certificateText = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' })
    assert.match(certificateText, /Sam Example/, 'the certificate shows the name typed')
    assert.ok(certificateText.includes(verification), 'the certificate shows its verification code')
    await page.goto(`${server.base}/verify?code=${verification}`)
    await axe(page, `${label} verify`)
    assert.ok(await page.getByText('This certificate is genuine').isVisible())
    assert.equal(await page.getByText('Sam Example').count(), 0)
    assert.match(await page.locator('.govuk-summary-list').textContent(), /Completed\s*[A-Z][a-z]+ \d{4}/, 'the month and year, not the day')

    // Exit this page (the no-JavaScript fallback is the same link).
    await page.goto(`${server.base}/accessibility`)
    await axe(page, `${label} accessibility`)
    assert.equal(await page.locator('.govuk-exit-this-page a').getAttribute('href'), '/exit')
    assert.deepEqual(offsite, [], 'nothing requested from other hosts')
  } finally {
    await context.close()
    server.stop()
  }
}

test('the whole journey at a 360 px phone viewport has no axe violations', async () => {
  await journey({ width: 360, height: 740, javaScript: true, label: 'phone' })
})

test('the whole journey at a desktop viewport has no axe violations', async () => {
  await journey({ width: 1280, height: 900, javaScript: true, label: 'desktop' })
})

test('the whole journey works with JavaScript disabled', async () => {
  await journey({ width: 360, height: 740, javaScript: false, label: 'no-JS' })
})

test('exit this page clears the session and leaves for a neutral site', async () => {
  const server = await startServer()
  const context = await browser.newContext()
  const page = await context.newPage()
  try {
    await page.goto(server.link)
    await continueButton(page)
    await page.locator('[data-govuk-exit-this-page-init]').waitFor({ state: 'attached' })
    // Shift pressed three times: through /exit (which ends the session) to BBC Weather,
    // which this machine may not reach, so the request is what is checked.
    const left = page.waitForRequest('https://www.bbc.co.uk/weather', { timeout: 10000 })
    await page.keyboard.press('Shift')
    await page.keyboard.press('Shift')
    await page.keyboard.press('Shift')
    await left
    const back = await context.newPage()
    const response = await back.goto(`${server.base}/consent`)
    assert.equal(response.status(), 403, 'the session is gone')
  } finally {
    await context.close()
    server.stop()
  }
})

test('before an idle session ends, a warning offers to stay without leaving the page', async () => {
  // A one-minute limit, so that the warning comes a few seconds after the page opens.
  const server = await startServer({ SKAFADA_SESSION_IDLE_MINUTES: '1' })
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } })
  const page = await context.newPage()
  try {
    await consentFrom(page, server.link)
    assert.match(await page.locator('#session-timeout').textContent(), /If you do nothing for 1 minute, you will need your resume code to carry on\./)
    // Something typed but not yet saved stays on the page.
    const typed = page.locator('main input[type="text"], main input[inputmode="numeric"]').first()
    assert.ok(await typed.count() > 0, 'the first page has a field to type in')
    await typed.fill('2015')
    const warning = page.getByRole('alert').filter({ hasText: 'Soon you will need your resume code' })
    await warning.waitFor({ state: 'visible', timeout: 15000 })
    const stay = warning.getByRole('button', { name: 'Stay on this page' })
    assert.ok(await stay.evaluate(el => el === document.activeElement), 'the button has the focus')
    const box = await stay.boundingBox()
    assert.ok(box.height >= 24 && box.width >= 24, 'a 24 px target')
    await axeCheck(page, 'time-out warning')
    const kept = page.waitForResponse(r => r.url().endsWith('/session/keep'))
    await stay.click()
    assert.equal((await kept).status(), 204)
    await warning.waitFor({ state: 'hidden' })
    assert.equal(await typed.inputValue(), '2015', 'nothing typed is lost')
  } finally {
    await context.close()
    server.stop()
  }
})

test('every knowledge check is answered by tapping its answers\' text on a phone, and checking one keeps the others', async () => {
  const server = await startServer()
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } })
  const page = await context.newPage()
  try {
    // Consent and the pre-training survey, leaving questions out where allowed.
    await consentFrom(page, server.link)
    for (let i = 0; i < 40 && path(page).startsWith('/survey/pre/page/'); i++) {
      if (path(page).endsWith('/your-work')) {
        await page.fill('#start-year', '2015')
        await page.locator('input[name="works-for-la"][value="1"]').check()
        // Revealed in place by the answer above.
        await page.locator('input[name="la-service"][value="1"]').check()
      }
      await continueButton(page)
    }
    await continueButton(page)
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Start the training' }).click()])

    let checked = 0
    let sectionsWithTwo = 0
    for (let s = 0; s < 40 && path(page).startsWith('/training'); s++) {
      if (path(page) === '/training') {
        const next = page.locator('main .govuk-grid-row a.govuk-button')
        if (await next.count() === 0) break
        await Promise.all([page.waitForNavigation(), next.first().click()])
        continue
      }
      const blocks = page.locator('.app-check')
      const count = await blocks.count()
      for (let c = 0; c < count; c++) {
        const block = page.locator('.app-check').nth(c)
        const inputs = block.locator('input')
        const n = await inputs.count()
        for (let o = 0; o < n; o++) {
          const input = inputs.nth(o)
          const id = await input.getAttribute('id')
          const label = (await block.locator(`label[for="${id}"]`).textContent()).trim()
          // The input's accessible name is its answer's text, and tapping the text chooses it.
          const role = (await input.getAttribute('type')) === 'checkbox' ? 'checkbox' : 'radio'
          assert.equal(await block.getByRole(role, { name: label, exact: true }).count(), 1, `${path(page)} check ${c}: "${label}" names one ${role}`)
          await block.locator(`label[for="${id}"]`).click()
          assert.ok(await input.isChecked(), `${path(page)} check ${c}: tapping "${label}" chooses it`)
          const box = await block.locator(`label[for="${id}"]`).boundingBox()
          assert.ok(box.height >= 24, 'a 24 px target')
        }
        checked++
      }
      if (count >= 2) {
        // The first check's choice survives checking the second.
        const first = page.locator('.app-check').nth(0).locator('input').first()
        await first.check()
        const firstId = await first.getAttribute('id')
        const second = page.locator('.app-check').nth(1)
        await second.locator('input').first().check()
        await Promise.all([page.waitForNavigation(), second.getByRole('button', { name: /^Check answer/ }).click()])
        assert.ok(await page.locator(`#${firstId}`).isChecked(), `${path(page)}: checking the second answer kept the first`)
        assert.equal(await page.locator('.app-check').nth(1).locator('[role="status"]').count(), 1, 'feedback on the second')
        sectionsWithTwo++
      }
      // Mark as complete saves every answer chosen, checked or not.
      await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Mark as complete and continue' }).click()])
      assert.ok(!(await page.title()).startsWith('Error: '), `${path(page)}: answers chosen count as given`)
    }
    assert.ok(checked >= 12, `${checked} knowledge checks tried`)
    assert.ok(sectionsWithTwo >= 1, 'a section with two checks was tried')
  } finally {
    await context.close()
    server.stop()
  }
})
