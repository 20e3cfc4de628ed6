/* The people step (人员), an enhancement only: the page works without it.
   Typing in a "someone else" field chooses "someone else" for that question, and
   choosing "someone else" puts the cursor in its first blank field. */
(function () {
  "use strict";
  function question(el) { return el.closest("fieldset.question"); }

  document.addEventListener("input", function (event) {
    var row = event.target.closest(".newcomers");
    if (!row) { return; }
    var pick = question(row).querySelector("input.pick-new");
    if (pick && !pick.checked) { pick.checked = true; }
  });

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("fieldset.question input.pick-new") || !input.checked) {
      return;
    }
    var first = question(input).querySelector(".newcomers input[type=text]");
    if (first && !first.value) { first.focus(); }
  });
})();
