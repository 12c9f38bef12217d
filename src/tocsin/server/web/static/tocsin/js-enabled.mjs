// GOV.UK Frontend's js-enabled class, moved out of an inline script so the CSP can forbid them.
document.body.classList.add("js-enabled", "govuk-frontend-supported");
