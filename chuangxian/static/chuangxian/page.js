/* Behaviour every page may use, attached here instead of inline handlers (the
   Content-Security-Policy allows no inline script):
   - data-print: a button that prints the page;
   - data-autosubmit: a <select> that submits its form when changed;
   - data-width: an element whose width is that many percent, or, with data-width-unit="px",
     pixels (bars and indents sized by the server; inline style attributes are refused too). */
(function () {
  "use strict";
  function each(selector, apply) {
    var found = document.querySelectorAll(selector);
    for (var i = 0; i < found.length; i++) { apply(found[i]); }
  }
  function attach(root) {
    each("[data-width]", function (el) {
      var value = parseFloat(el.getAttribute("data-width"));
      if (!isNaN(value)) { el.style.width = value + (el.getAttribute("data-width-unit") || "%"); }
    });
  }
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-print]") : null;
    if (target) { window.print(); }
  });
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { attach(document); });
  } else {
    attach(document);
  }
  // Content htmx swaps in gets its widths too.
  document.addEventListener("htmx:afterSwap", function () { attach(document); });
}());
