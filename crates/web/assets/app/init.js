// Starts GOV.UK Frontend's components (exit this page and its Shift-three-times
// shortcut, error summary focus, checkboxes). Loaded as a module, so no inline script
// is needed and the Content-Security-Policy can forbid them.
import { initAll } from '/assets/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()

// "Copy" buttons for messages an LA contact pastes into an e-mail: hidden until this
// script runs, because without JavaScript the text is selected and copied by hand.
for (const button of document.querySelectorAll('[data-copy-target]')) {
  const target = document.getElementById(button.dataset.copyTarget)
  const status = document.getElementById(button.dataset.copyStatus)
  if (!target || !navigator.clipboard) continue
  button.hidden = false
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(target.value ?? target.textContent)
      if (status) status.textContent = 'Copied'
    } catch {
      if (status) status.textContent = 'Could not copy: select the text and copy it instead'
    }
  })
}

// Indexing a transcript: selecting words inside one turn fills in "Exact words to index"
// and selects that turn alone. Without JavaScript the analyst ticks the turn and copies
// the words into the field by hand; the server checks them either way.
const quoteField = document.getElementById('quote')
if (quoteField) {
  const fill = (turnText) => {
    const selection = window.getSelection()
    if (!selection || selection.isCollapsed) return
    if (!turnText.contains(selection.anchorNode) || !turnText.contains(selection.focusNode)) return
    const words = selection.toString().trim()
    if (!words) return
    quoteField.value = words
    for (const box of document.querySelectorAll('input[name="turn"]')) {
      box.checked = box.id === turnText.dataset.quoteTurn
    }
  }
  for (const turnText of document.querySelectorAll('[data-quote-turn]')) {
    turnText.addEventListener('mouseup', () => fill(turnText))
    turnText.addEventListener('keyup', () => fill(turnText))
  }
}

// The time-out warning (GOV.UK's pattern): a few minutes before a session would end for
// want of activity, say so and offer to stay. Staying asks the server to keep the
// session without leaving the page, so nothing typed on it is lost. Without JavaScript
// the page states the time limit in words instead.
const timeout = document.getElementById('session-timeout')
const idleSeconds = Number(timeout?.dataset.idleSeconds)
if (timeout && idleSeconds > 0) {
  // Five minutes before the end (or, with a short limit, soon after the page opens).
  const warnAfter = Math.max(idleSeconds - 5 * 60, 5) * 1000
  const warning = document.createElement('div')
  warning.className = 'govuk-notification-banner app-timeout-warning'
  warning.setAttribute('role', 'alert')
  warning.hidden = true
  warning.innerHTML = `
    <div class="govuk-notification-banner__header">
      <h2 class="govuk-notification-banner__title">Important</h2>
    </div>
    <div class="govuk-notification-banner__content">
      <p class="govuk-notification-banner__heading">You have not done anything on this page for a while. Soon you will need your resume code to carry on.</p>
      <button type="button" class="govuk-button" data-module="govuk-button">Stay on this page</button>
    </div>`
  document.querySelector('main')?.prepend(warning)
  let timer
  const arm = () => {
    clearTimeout(timer)
    timer = setTimeout(() => {
      warning.hidden = false
      warning.querySelector('button')?.focus()
    }, warnAfter)
  }
  warning.querySelector('button')?.addEventListener('click', async () => {
    const kept = await fetch('/session/keep', { credentials: 'same-origin' }).catch(() => null)
    const message = warning.querySelector('p')
    if (kept && kept.status === 204) {
      warning.hidden = true
      arm()
    } else if (message) {
      message.textContent = 'Your session has ended. Your answers up to the last page you continued from are saved: carry on with your resume code.'
    }
  })
  arm()
}

// Follow-up questions revealed in place (GOV.UK's conditional reveal): a question that an
// answer on this page shows appears under it as soon as the answer is chosen, and is told
// to the server as seen, so Continue does not stop to show it. Without JavaScript it stays
// hidden and Continue shows the page again with it.
for (const followUp of document.querySelectorAll('[data-reveal-item]')) {
  const codes = followUp.dataset.revealCodes.split(' ')
  const controls = [...document.querySelectorAll(`input[name="${CSS.escape(followUp.dataset.revealItem)}"]`)]
  if (controls.length === 0) continue
  const seen = document.createElement('input')
  seen.type = 'hidden'
  seen.name = 'shown-in-place'
  seen.value = followUp.id.replace(/-follow-up$/, '')
  for (const control of controls) {
    if (codes.includes(control.value)) control.setAttribute('aria-controls', followUp.id)
  }
  const update = () => {
    const shown = controls.some(c => c.checked && codes.includes(c.value))
    followUp.hidden = !shown
    if (shown) followUp.append(seen)
    else seen.remove()
  }
  for (const control of controls) control.addEventListener('change', update)
  update()
}
