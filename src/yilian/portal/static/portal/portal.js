/* 掌上办: a live check answers with an element carrying data-for (the input's id) and
   data-invalid; mirror it on the input's aria-invalid so the red border, screen readers
   and the message agree. */
document.addEventListener("htmx:afterSwap", function (event) {
  var verdict = event.detail.target.querySelector("[data-for]") ||
    (event.detail.target.matches("[data-for]") ? event.detail.target : null);
  if (!verdict) { return; }
  var input = document.getElementById(verdict.getAttribute("data-for"));
  if (input) { input.setAttribute("aria-invalid", verdict.getAttribute("data-invalid")); }
});
