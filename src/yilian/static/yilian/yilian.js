/* Behaviour every page shares, kept out of the markup so the Content-Security-Policy
   can forbid inline script: a select marked data-submit-on-change (the language switch)
   submits its form when changed. */
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-submit-on-change]")) { event.target.form.submit(); }
});
