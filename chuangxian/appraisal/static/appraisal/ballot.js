/* The ballot sheet: the "已评 x/N" counter and a draft that survives a reload.
 *
 * The draft is kept in this device's localStorage under the page's address (round, role or
 * token), only the choices (field name → value), and is removed when the sheet is submitted or
 * after 12 hours: on a shared phone the next person must not find someone's half-filled sheet
 * for long. Nothing is sent anywhere; the server never sees the draft. */
(function () {
  "use strict";
  var form = document.querySelector("form [data-ap-counter]");
  form = form && form.closest("form");
  if (!form) {
    return;
  }
  var KEY = "chuangxian.ballot-draft:" + window.location.pathname;
  var MAX_AGE_MS = 12 * 60 * 60 * 1000;
  var counter = form.querySelector("[data-ap-counter]");
  var subjects = Array.prototype.slice.call(form.querySelectorAll("[data-ap-subject]"));

  function answered(fieldset) {
    var inputs = fieldset.querySelectorAll("input");
    var names = {};
    var done = {};
    Array.prototype.forEach.call(inputs, function (input) {
      if (input.type === "hidden") {
        return;
      }
      names[input.name] = true;
      if ((input.type === "radio" && input.checked) || (input.type !== "radio" && input.value !== "")) {
        done[input.name] = true;
      }
    });
    return Object.keys(names).every(function (name) {
      return done[name];
    });
  }

  function count() {
    var x = subjects.filter(answered).length;
    subjects.forEach(function (fieldset) {
      fieldset.classList.toggle("ap-done", answered(fieldset));
    });
    counter.textContent = counter.getAttribute("data-template")
      .replace("{x}", String(x))
      .replace("{n}", String(subjects.length));
    counter.classList.toggle("ap-all-done", x === subjects.length);
  }

  function save() {
    var choices = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.type === "hidden" || input.name === "csrfmiddlewaretoken") {
        return;
      }
      if (input.type === "radio") {
        if (input.checked) {
          choices[input.name] = input.value;
        }
      } else if (input.value !== "") {
        choices[input.name] = input.value;
      }
    });
    try {
      window.localStorage.setItem(KEY, JSON.stringify({ at: Date.now(), choices: choices }));
    } catch (error) {
      /* storage full or disabled: the sheet still works, without a draft */
    }
  }

  function restore() {
    var raw = null;
    try {
      raw = window.localStorage.getItem(KEY);
    } catch (error) {
      return;
    }
    if (!raw) {
      return;
    }
    var draft;
    try {
      draft = JSON.parse(raw);
    } catch (error) {
      window.localStorage.removeItem(KEY);
      return;
    }
    if (!draft || !draft.choices || Date.now() - draft.at > MAX_AGE_MS) {
      window.localStorage.removeItem(KEY);
      return;
    }
    var restored = false;
    Object.keys(draft.choices).forEach(function (name) {
      var value = draft.choices[name];
      Array.prototype.forEach.call(form.querySelectorAll("[name='" + CSS.escape(name) + "']"), function (input) {
        if (input.type === "radio") {
          if (input.value === value && !form.querySelector("[name='" + CSS.escape(name) + "']:checked")) {
            input.checked = true;
            restored = true;
          }
        } else if (input.value === "") {
          input.value = value;
          restored = true;
        }
      });
    });
    var note = form.querySelector("[data-ap-draft-note]");
    if (restored && note) {
      note.hidden = false;
    }
  }

  restore();
  count();
  form.addEventListener("change", function () {
    count();
    save();
  });
  form.addEventListener("input", count);
  form.addEventListener("submit", function () {
    try {
      window.localStorage.removeItem(KEY);
    } catch (error) {
      /* nothing kept */
    }
  });
})();
