// The whole training module at a 360 px phone viewport, alone and in group mode, with
// axe on every page (every training section, every group section, the code pages), and
// a second module with local services read from files by `serve --module` and
// `--local-services`.
//
// Needs the skafada binary (SKAFADA_BIN, default ../../target/debug/skafada) and
// Chromium at /usr/bin/chromium. Each test starts its own server in a fresh SQLite file.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { LAUNCH, expectNoAxeViolations } from './axe.mjs'
import { freePort } from './ports.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const ROOT = resolve(here, '../..')
const BIN = process.env.SKAFADA_BIN || resolve(ROOT, 'target/debug/skafada')
const PHONE = { viewport: { width: 360, height: 740 } }

let browser
before(async () => { browser = await chromium.launch(LAUNCH) })
after(async () => {
  await browser?.close()
  console.log(`axe: ${checked.length} page states checked, zero violations (${new Set(checked).size} distinct paths)`)
})


async function startServer (extra = [], files = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'skafada-browser-group-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  const port = await freePort()
  const args = ['serve', '--demo', '--database', `sqlite://${join(dir, 'test.sqlite')}`,
    '--listen', `127.0.0.1:${port}`, ...extra.map(a => a.replace('$DIR', dir))]
  const server = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'inherit'] })
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
    links,
    stop () { server.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }) }
  }
}

const checked = []
async function axe (page, label) {
  await expectNoAxeViolations(page, label)
  checked.push(new URL(page.url()).pathname)
}

function path (page) { return new URL(page.url()).pathname }

async function click (page, locator) {
  await Promise.all([page.waitForNavigation(), locator.click()])
}

async function continueButton (page) {
  await click(page, page.locator('main form button.govuk-button:not(.govuk-button--secondary)').first())
}

// Consent and the pre-training survey; returns the resume code.
async function consentAndPreSurvey (page, link) {
  await page.goto(link)
  await continueButton(page)
  for (const box of await page.locator('.govuk-checkboxes__input').all()) await box.check()
  await continueButton(page)
  const code = (await page.locator('#resume-code').textContent()).trim()
  await click(page, page.getByRole('button', { name: 'Continue' }))
  // The linking code is optional: skipped here.
  assert.equal(path(page), '/link-code')
  await click(page, page.getByRole('link', { name: 'Skip making a code' }))
  for (let i = 0; i < 40 && path(page).startsWith('/survey/pre/page/'); i++) {
    if (await page.locator('input[name="works-for-la"]').count() > 0) {
      await page.locator('input[name="works-for-la"][value="1"]').check()
      if (await page.locator('input[name="la-service"]').count() > 0) await page.locator('input[name="la-service"][value="1"]').check()
    } else {
      const radios = page.locator('fieldset .govuk-radios')
      if (await radios.count() > 0) await radios.first().locator('input').first().check()
    }
    await continueButton(page)
  }
  assert.equal(path(page), '/survey/pre/check-answers')
  await continueButton(page)
  assert.equal(path(page), '/survey/pre/done')
  await click(page, page.getByRole('button', { name: 'Start the training' }))
  assert.equal(path(page), '/training')
  return code
}

// The post-training survey to the certificate; `inGroup` checks the pre-filled answer.
async function postSurveyAndCertificate (page, label, inGroup) {
  assert.ok(path(page).startsWith('/survey/post/page/'), `${label}: post survey at ${path(page)}`)
  let asked = false
  for (let i = 0; i < 40 && path(page).startsWith('/survey/post/page/'); i++) {
    await axe(page, `${label} ${path(page)}`)
    const group = page.locator('input[name="completed-in-group"][value="1"]')
    if (await group.count() > 0) {
      asked = true
      assert.equal(await group.isChecked(), inGroup, `${label}: completed-in-group pre-filled`)
    }
    await continueButton(page)
  }
  assert.ok(asked, 'the post-training survey asks about group training')
  assert.equal(path(page), '/survey/post/check-answers')
  await axe(page, `${label} post check answers`)
  await continueButton(page)
  await axe(page, `${label} post done`)
  await click(page, page.getByRole('button', { name: 'Get your certificate' }))
  assert.equal(path(page), '/certificate')
  await axe(page, `${label} certificate`)
  return page.locator('main').textContent()
}

test('the whole module alone and in group mode at 360 px has no axe violations on any page', async () => {
  const server = await startServer()
  const declared = readFileSync(resolve(ROOT, 'training/skafada-prototype/module.toml'), 'utf8').match(/learning_minutes = (\d+)/)[1]
  // The learning time in words, as every page states it ("1 hour 25 minutes").
  const plural = (n, unit) => `${n} ${unit}${n === 1 ? '' : 's'}`
  const [hours, rest] = [Math.floor(Number(declared) / 60), Number(declared) % 60]
  const declaredWords = hours === 0 ? plural(rest, 'minute') : rest === 0 ? plural(hours, 'hour') : `${plural(hours, 'hour')} ${plural(rest, 'minute')}`
  const sectionCount = readFileSync(resolve(ROOT, 'training/skafada-prototype/module.toml'), 'utf8').match(/sections = \[([^\]]*)\]/)[1].split(',').filter(s => s.trim()).length
  const link = server.links[0]
  try {
    // A facilitator: from the site's link to the group session, every section, the code.
    const screen = await browser.newContext({ viewport: { width: 360, height: 740 } })
    const facilitator = await screen.newPage()
    await facilitator.goto(link)
    await click(facilitator, facilitator.getByRole('link', { name: 'run a group session' }))
    assert.ok(path(facilitator).startsWith('/group/'))
    await axe(facilitator, 'group start')
    await click(facilitator, facilitator.getByRole('button', { name: /Start the session/ }))
    let sections = 0
    while (path(facilitator).includes('/section/')) {
      sections++
      await axe(facilitator, `group ${path(facilitator)}`)
      assert.equal(await facilitator.locator('main form, main textarea, main input').count(), 0, 'nothing to fill in')
      const answers = facilitator.locator('details summary', { hasText: 'Show the answer' })
      if (await answers.count() > 0) {
        await answers.first().click()
        await axe(facilitator, `group ${path(facilitator)} answer shown`)
      }
      await click(facilitator, facilitator.locator('main a.govuk-button').last())
    }
    assert.equal(sections, sectionCount, 'every section is shown to the group')
    assert.ok(path(facilitator).endsWith('/end'))
    await axe(facilitator, 'group end')
    const groupCode = (await facilitator.locator('#group-code').textContent()).trim()
    assert.match(groupCode, /^[A-Z2-9]{4}-[A-Z2-9]{4}$/)
    assert.equal((await screen.cookies()).length, 0, 'the shared screen has no session')
    await screen.close()

    // Someone alone: every section and every knowledge check, leaving and resuming.
    const alone = await browser.newContext(PHONE)
    let page = await alone.newPage()
    const code = await consentAndPreSurvey(page, link)
    await axe(page, 'training contents')
    assert.match(await page.locator('main').textContent(), /It takes about (\d+ hours?( \d+ minutes?)?|\d+ minutes?)\./)
    let done = 0
    for (let i = 0; i < 80 && path(page).startsWith('/training'); i++) {
      if (path(page) === '/training') {
        const next = page.locator('main .govuk-grid-row a.govuk-button')
        if (await next.count() === 0) break
        await click(page, next.first())
        continue
      }
      await axe(page, `section ${path(page)}`)
      const checks = page.locator('.app-check')
      const count = await checks.count()
      for (let c = 0; c < count; c++) {
        const form = page.locator('.app-check').nth(c)
        if (await form.locator('.govuk-inset-text[role="status"]').count() > 0) continue
        await form.locator('input').first().check()
        await click(page, form.locator('button'))
        await axe(page, `feedback ${path(page)} check ${c}`)
      }
      await click(page, page.getByRole('button', { name: 'Mark as complete and continue' }))
      done++
      if (done === Math.floor(sectionCount / 2)) {
        // Leave, and resume with the code on another phone.
        await click(page, page.getByRole('button', { name: 'Leave and clear this device' }))
        await axe(page, 'left')
        await alone.close()
        const other = await browser.newContext(PHONE)
        page = await other.newPage()
        await page.goto(`${server.base}/resume`)
        await page.fill('#code', code)
        await continueButton(page)
        assert.ok(path(page).startsWith('/training'), `resumed at ${path(page)}`)
      }
    }
    assert.equal(done, sectionCount, 'every section was completed')
    const certificate = await postSurveyAndCertificate(page, 'alone', false)
    assert.match(certificate, new RegExp(`${declaredWords} of learning`))
    await page.context().close()

    // A participant of the group: their own surveys, the group code instead of the module.
    const member = await browser.newContext(PHONE)
    const phone = await member.newPage()
    await consentAndPreSurvey(phone, link)
    await click(phone, phone.getByRole('link', { name: 'enter your group session code' }))
    await axe(phone, 'group code form')
    await continueButton(phone)
    assert.match(await phone.title(), /^Error: /)
    await axe(phone, 'group code error')
    await phone.fill('#code', groupCode.toLowerCase())
    await continueButton(phone)
    const groupCertificate = await postSurveyAndCertificate(phone, 'group member', true)
    assert.match(groupCertificate, new RegExp(`${declaredWords} of learning`))
    await phone.goto(`${server.base}/training`)
    await axe(phone, 'contents after a group session')
    assert.match(await phone.locator('main').textContent(), new RegExp(`completed ${sectionCount} of ${sectionCount}`))
    await member.close()
  } finally {
    server.stop()
  }
})

test('a module and local services from files are served, alone and to a group', async () => {
  const services = '[[LA01]]\nname = "Example local refuge"\ndescription = "An example service for the test."\nphone = "0100 000 0000"\n'
  const server = await startServer(['--module', resolve(ROOT, 'training/example-short-module'),
    '--local-services', '$DIR/services.toml'], { 'services.toml': services })
  try {
    const context = await browser.newContext(PHONE)
    const page = await context.newPage()
    await page.goto(server.links[0])
    await axe(page, 'example start')
    await consentAndPreSurvey(page, server.links[0])
    assert.match(await page.locator('h1').textContent(), /Example module/)
    await page.goto(`${server.base}/training/support`)
    await axe(page, 'example support section')
    const block = page.locator('main .app-section')
    assert.ok(await block.getByText('Example local refuge').isVisible(), 'in the local-services block')
    const token = new URL(server.links[0]).pathname.split('/').pop()
    await page.goto(`${server.base}/group/${token}/section/support`)
    await axe(page, 'example group support section')
    assert.ok(await page.locator('main .app-section').getByText('Example local refuge').isVisible())
    // Another site has none listed: the fallback text.
    const other = new URL(server.links[1]).pathname.split('/').pop()
    await page.goto(`${server.base}/group/${other}/section/support`)
    assert.ok(await page.getByText('has not listed its services here yet').isVisible())
    await context.close()
  } finally {
    server.stop()
  }
})
