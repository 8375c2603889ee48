// Small progressive enhancements shared by every page. Every page works without this file.
(function () {
  "use strict";

  // A form field marked data-show-if="other=value" shows only while the field named `other`
  // has that value (e.g. 指定人员 only when 应到范围 is 指定人员).
  function conditionalFields(root) {
    var wrappers = new Map();
    root.querySelectorAll("[data-show-if]").forEach(function (el) {
      var wrapper = el.closest(".field") || el;
      if (!wrappers.has(wrapper)) wrappers.set(wrapper, el.getAttribute("data-show-if"));
    });
    wrappers.forEach(function (rule, wrapper) {
      var parts = rule.split("=");
      var form = wrapper.closest("form");
      if (!form) return;
      var control = form.querySelector('[name="' + parts[0] + '"]');
      if (!control) return;
      function update() {
        wrapper.hidden = control.value !== parts[1];
      }
      control.addEventListener("change", update);
      update();
    });
  }

  // The language menu submits when a language is picked: page.js does that for every
  // select marked data-autosubmit, the language menu included.

  function init() {
    conditionalFields(document);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
