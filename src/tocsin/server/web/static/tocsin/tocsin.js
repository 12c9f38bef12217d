// GOV.UK Frontend's js-enabled class and component start-up, moved out of inline scripts so the
// Content Security Policy can forbid them (script-src 'self').
import { initAll } from "./build/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// A print button (the chronology's print version): the browser's own print dialogue.
for (const button of document.querySelectorAll('[data-module="tocsin-print"]')) {
  button.addEventListener("click", () => window.print());
}
