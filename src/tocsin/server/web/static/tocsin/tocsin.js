// GOV.UK Frontend's js-enabled class and component start-up, moved out of inline scripts so the
// Content Security Policy can forbid them (script-src 'self').
import { initAll } from "./build/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
