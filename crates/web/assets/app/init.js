// Starts GOV.UK Frontend's components (exit this page and its Shift-three-times
// shortcut, error summary focus, checkboxes). Loaded as a module, so no inline script
// is needed and the Content-Security-Policy can forbid them.
import { initAll } from '/assets/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
