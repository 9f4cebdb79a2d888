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
