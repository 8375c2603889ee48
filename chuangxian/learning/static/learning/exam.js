/* The exam page: a countdown from the seconds the server gave, saving each answer as it is
   chosen, and handing in the paper when the time is up. The server decides what counts; this
   only keeps the member informed and saves early. */
(function () {
  "use strict";
  var form = document.getElementById("exam-form");
  var box = document.getElementById("countdown");
  var shown = document.getElementById("countdown-time");
  if (!form || !box || !shown) { return; }
  var remaining = parseInt(box.getAttribute("data-remaining"), 10) || 0;
  var endsAt = Date.now() + remaining * 1000;
  var submitted = false;

  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    shown.textContent = (h ? h + ":" : "") + pad(m) + ":" + pad(s);
    if (left <= 60) { box.classList.add("low"); }
    if (left === 0 && !submitted) {
      submitted = true;
      form.submit();
      return;
    }
    window.setTimeout(tick, 500);
  }
  tick();
  form.addEventListener("submit", function () { submitted = true; });

  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset.question");
    if (!fieldset) { return; }
    var position = fieldset.getAttribute("data-position");
    var status = document.getElementById("saved-" + position);
    var data = new FormData();
    data.append("csrfmiddlewaretoken", token);
    data.append("position", position);
    fieldset.querySelectorAll("input:checked").forEach(function (input) {
      data.append("q" + position, input.value);
    });
    status.className = "saved";
    status.textContent = "…";
    fetch(form.getAttribute("data-save-url"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": token }
    }).then(function (response) {
      return response.text().then(function (text) {
        status.textContent = text;
        if (!response.ok) { status.className = "saved refused"; }
      });
    }).catch(function () {
      status.className = "saved refused";
      status.textContent = "网络异常，交卷时会一并提交";
    });
  });
})();
