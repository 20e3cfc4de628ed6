/* 自动保存 — never lose what was typed (the step pages, online and at the counter).

   - Saves the step's form about a second after the last keystroke, and when a field is
     left, to the form's data-autosave-url (yilian.portal.autosave: JSON, no redirect);
     a status line says what happened (words from #autosave-status, translated).
   - Until the server has everything, the page as typed is kept in localStorage (one
     entry per application and step, with the server version it builds on) and put back
     on reload with a note; the entry is removed once the server confirms.
   - Offline, or the server failing: the message says so, the input stays, and saving is
     retried when the connection returns (the online event) and every 10 s.
   - Leaving with unsaved input asks first (beforeunload), only while the autosave has
     not caught up.
   - Live checks (htmx) that could not run say so instead of staying silent.
   Without JavaScript the buttons save as before. */
(function () {
  "use strict";

  var status = document.getElementById("autosave-status");
  var words = status ? status.dataset : {};

  function fill(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (_, key) {
      return values && key in values ? values[key] : "";
    });
  }

  /* A live check that could not run (no network, a server error) says so. */
  function checkFailed(event) {
    var target = event.detail && event.detail.target;
    if (!target || !words.checkFailed) { return; }
    var note = document.createElement("span");
    note.className = "check-failed";
    note.setAttribute("data-check-failed", "");
    note.textContent = words.checkFailed;
    target.replaceChildren(note);
  }
  ["htmx:sendError", "htmx:responseError", "htmx:timeout"].forEach(function (name) {
    document.addEventListener(name, checkFailed);
  });

  var form = document.getElementById("step-form");
  if (!form || !form.dataset.autosaveUrl || !status) { return; }

  var url = form.dataset.autosaveUrl;
  var key = form.dataset.draftKey;
  var lastSaved = null;   // the form as the server has it (serialized)
  var lastSent = null;    // the form as last sent (not sent again unchanged)
  var timer = null;
  var inFlight = false;
  var again = false;
  var retry = false;      // a save failed for want of network or server: try again
  var stopped = false;    // the application can no longer change
  var leaving = false;    // a button submits the form: the server saves it
  var flagged = [];       // inputs this script marked invalid

  /* A row button saves the form through htmx and swaps in only the rows: build on the
     version that save made (the step page's X-Form-Version header), or the next autosave
     would be refused as overtaken by it. Only a POST saved; a GET (the kind question)
     may answer after an autosave and must not put an older version back. */
  var buttonSaves = 0;    // row-button saves (htmx POSTs) started on this page
  var buttonBusy = 0;     // … and not yet answered
  var afterButton = false;  // an autosave they overtook waits for them, then goes again

  function isPost(event) {
    var config = event.detail && event.detail.requestConfig;
    return !!config && String(config.verb).toLowerCase() === "post";
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (isPost(event)) { buttonSaves += 1; buttonBusy += 1; }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!isPost(event)) { return; }
    buttonBusy = Math.max(0, buttonBusy - 1);
    var xhr = event.detail.xhr;
    var version = xhr && event.detail.successful && xhr.getResponseHeader("X-Form-Version");
    if (version) { buildOn(version); }
    if (afterButton && !buttonBusy) { afterButton = false; lastSent = null; schedule(0); }
  });

  /* Two saves of this page can answer out of order (leaving a field autosaves while the
     row button saves): build on the newer of the two, never go back to the older. */
  function buildOn(version) {
    var known = form.dataset.version || "";
    var a = Date.parse(version), b = Date.parse(known);
    if (!known || a > b || (a === b && version > known)) { form.dataset.version = version; }
  }

  function pairs(of) {
    var out = [];
    new FormData(of || form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") {
        out.push([name, value]);
      }
    });
    return out;
  }
  function current() { return JSON.stringify(pairs()); }
  // The form as the server rendered it: a detached copy reset to its default values.
  function rendered() {
    var copy = form.cloneNode(true);
    copy.reset();
    return JSON.stringify(pairs(copy));
  }
  function dirty() { return current() !== lastSaved; }

  function show(text, kind) {
    status.hidden = false;
    status.textContent = text;
    status.className = "autosave-status" + (kind ? " " + kind : "");
  }

  /* The browser's copy: kept while the server lacks something, removed when not. */
  function remember() {
    try {
      if (dirty()) {
        localStorage.setItem(key, JSON.stringify({
          version: form.dataset.version, at: Date.now(), pairs: pairs()}));
      } else {
        localStorage.removeItem(key);
      }
    } catch (e) { /* storage full or refused: the server copy still saves */ }
  }
  function stored() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function apply(saved) {
    var values = {};
    saved.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    var seen = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      var name = el.name;
      if (!name || el.type === "hidden" || el.type === "submit" || el.type === "button" ||
          name === "csrfmiddlewaretoken") { return; }
      var list = values[name] || [];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = list.indexOf(el.value) !== -1;
      } else if (el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) {
          o.selected = list.indexOf(o.value) !== -1;
        });
      } else if (name in values) {
        var i = seen[name] || 0;
        if (i < list.length) { el.value = list[i]; }
        seen[name] = i + 1;
      }
    });
  }

  function note(text, buttons) {
    var box = document.createElement("div");
    box.className = "card restore-note";
    box.id = "restore-note";
    box.setAttribute("role", "note");
    var p = document.createElement("p");
    p.textContent = text;
    box.appendChild(p);
    buttons.forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-small";
      button.textContent = b[0];
      button.addEventListener("click", function () { box.remove(); b[1](); });
      box.appendChild(button);
    });
    form.insertBefore(box, form.firstChild);
  }

  function discard() {
    try { localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
    leaving = true;
    window.location.reload();
  }

  function restore(saved) {
    apply(saved.pairs);
    schedule(0);
  }

  function markErrors(errors) {
    flagged.forEach(function (id) {
      var input = document.getElementById(id);
      var span = document.getElementById(id + "-error");
      if (input) { input.removeAttribute("aria-invalid"); }
      if (span) { span.textContent = ""; }
    });
    flagged = [];
    errors.forEach(function (error) {
      var input = document.getElementById(error.id);
      var span = document.getElementById(error.id + "-error");
      if (input) { input.setAttribute("aria-invalid", "true"); }
      if (span) { span.textContent = error.message; }
      flagged.push(error.id);
    });
  }

  function failed(reason) {
    retry = true;
    lastSent = null;
    show(fill(words.failed, {reason: reason}), "failed");
  }
  function offline() {
    retry = true;
    lastSent = null;
    show(words.offline, "offline");
  }

  function save() {
    timer = null;
    if (stopped || leaving) { return; }
    if (inFlight) { again = true; return; }
    // A row button is saving this very form: go once its answer says on what version.
    if (buttonBusy) { afterButton = true; return; }
    var text = current();
    if (text === lastSaved) { retry = false; return; }
    if (text === lastSent) { return; }
    if (navigator.onLine === false) { remember(); offline(); return; }
    inFlight = true;
    retry = false;
    lastSent = text;
    show(words.saving, "saving");
    var body = new FormData(form);
    body.append("_version", form.dataset.version || "");  // refused if overtaken
    var buttonsBefore = buttonSaves;
    fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      redirect: "manual", headers: {"Accept": "application/json"}
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 403) {
        failed(words.signedOut);
        return null;
      }
      if ([200, 400, 409].indexOf(response.status) === -1) {
        failed(words.server);
        return null;
      }
      return response.json().then(function (answer) {
        if (response.status === 409 && answer.code === "application.changed_elsewhere"
            && buttonSaves !== buttonsBefore) {
          // Overtaken by this page's own row button, not by anyone else: once its
          // answer gives the new version, save again on top of it.
          lastSent = null;
          if (buttonBusy) { afterButton = true; } else { again = true; }
          return;
        }
        if (response.status === 409) {
          stopped = true;  // submitted, or changed elsewhere: the copy stays here
          show(fill(words.refused, {reason: answer.message}), "failed");
          return;
        }
        buildOn(answer.updated_at);
        markErrors(answer.errors || []);
        if (answer.saved) {
          lastSaved = text;
          show(fill(words.saved, {time: answer.time}), "saved");
        } else {
          show(fill(words.partly, {time: answer.time, n: answer.errors.length}), "partly");
        }
      });
    }).catch(function () {
      if (navigator.onLine === false) { offline(); } else { failed(words.server); }
    }).then(function () {
      inFlight = false;
      remember();
      if (again) { again = false; schedule(0); }
    });
  }

  function schedule(delay) {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, delay);
  }

  function typed() {
    if (leaving) { return; }
    remember();
    if (navigator.onLine === false) { offline(); return; }
    schedule(1000);
  }

  form.addEventListener("input", typed);
  form.addEventListener("change", function () { remember(); schedule(0); });
  form.addEventListener("focusout", function () { if (dirty()) { schedule(0); } });
  form.addEventListener("submit", function () { leaving = true; remember(); });

  window.addEventListener("online", function () { if (dirty()) { retry = true; schedule(0); } });
  window.addEventListener("offline", function () { if (dirty()) { offline(); } });
  setInterval(function () {
    if (retry && navigator.onLine !== false && !inFlight) { schedule(0); }
  }, 10000);

  window.addEventListener("beforeunload", function (event) {
    if (leaving || stopped || !dirty()) { return; }
    event.preventDefault();
    event.returnValue = words.leave || "";
    return words.leave;
  });

  // What the server has, then what this browser kept that it does not. A page shown
  // again with the input as sent (a button's save refused for a malformed field) is
  // not what the server has: unsaved until the autosave catches up.
  // Going back in history, the browser may put back what was typed on this page
  // before: the server has the page's defaults (the HTML as sent), not that.
  lastSaved = form.hasAttribute("data-unsaved") ? null : rendered();
  if (lastSaved !== current()) { remember(); schedule(0); }  // the valid parts, at least
  var saved = stored();
  if (saved && JSON.stringify(saved.pairs) !== current()) {
    var time = new Date(saved.at).toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"});
    if (saved.version === form.dataset.version) {
      note(fill(words.restored, {time: time}), [[words.discard, discard]]);
      restore(saved);
    } else {
      note(fill(words.stale, {time: time}),
           [[words.restore, function () { restore(saved); }], [words.discard, discard]]);
    }
  } else if (saved) {
    remember();  // the same as the server's: nothing to keep
  }
}());
