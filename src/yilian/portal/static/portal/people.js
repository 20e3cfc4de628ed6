/* The people step (人员), an enhancement only: the page works without it.
   - Typing in a "someone else" field chooses "someone else" for that question, and
     choosing "someone else" puts the cursor in its first blank field.
   - A person typed under "someone else" is offered at once to the other questions
     (value "same:<office>", read by yilian.portal.people.parse), so the tax handler or
     the contact can be the new financial officer without saving first. */
(function () {
  "use strict";
  var ID = /^[0-9]{17}[0-9Xx]$/;

  function question(el) { return el.closest("fieldset.question"); }

  function typedPeople() {
    var found = [], seen = {};
    document.querySelectorAll("fieldset.question").forEach(function (q) {
      var pick = q.querySelector("input.pick-new");
      var row = q.querySelector(".newcomers .person-row");
      if (!pick || !pick.checked || !row) { return; }
      var name = row.querySelector("input[id$='-name']");
      var number = row.querySelector("input[id$='-id_number']");
      if (!name || !number || !name.value.trim() || !ID.test(number.value.trim())) { return; }
      var key = number.value.trim().toUpperCase();
      if (seen[key]) { return; }
      seen[key] = true;
      found.push({ role: q.getAttribute("data-role"), name: name.value.trim(), key: key });
    });
    return found;
  }

  function offer() {
    var people = typedPeople();
    document.querySelectorAll("fieldset.question").forEach(function (q) {
      var role = q.getAttribute("data-role");
      var checked = {};
      q.querySelectorAll(".choice.same input").forEach(function (input) {
        if (input.checked) { checked[input.value] = true; }
      });
      q.querySelectorAll(".choice.same").forEach(function (choice) { choice.remove(); });
      var before = q.querySelector("input.pick-new").closest(".choice");
      var type = q.querySelector("input.pick-new").type;
      people.forEach(function (person) {
        if (person.role === role) { return; }
        var known = q.querySelector("input[name='pick-" + role + "'][value='" + person.key + "']");
        if (known) { return; }  // already in the form: offered by the page itself
        var value = "same:" + person.role;
        var box = document.createElement("div");
        box.className = "choice same";
        var input = document.createElement("input");
        input.type = type;
        input.name = "pick-" + role;
        input.value = value;
        input.id = "pick-" + role + "-same-" + person.role;
        input.checked = !!checked[value];
        var label = document.createElement("label");
        label.htmlFor = input.id;
        label.textContent = person.name + (q.getAttribute("data-typed") || "");
        box.appendChild(input);
        box.appendChild(document.createTextNode(" "));
        box.appendChild(label);
        before.parentNode.insertBefore(box, before);
      });
    });
  }

  document.addEventListener("input", function (event) {
    var row = event.target.closest(".newcomers");
    if (!row) { return; }
    var pick = question(row).querySelector("input.pick-new");
    if (pick && !pick.checked) { pick.checked = true; }
    offer();
  });

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.closest || !input.closest("fieldset.question")) { return; }
    if (input.name && input.name.indexOf("pick-") === 0) { offer(); }
    if (!input.matches("input.pick-new") || !input.checked) { return; }
    var first = question(input).querySelector(".newcomers input[type=text]");
    if (first && !first.value) { first.focus(); }
  });
})();
