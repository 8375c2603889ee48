// Attendance roll: the running count of 出席 / 缺席 / 请假 and the "全部出席" button. The form
// works without this file; it only saves taps and shows the totals before saving.
(function () {
  "use strict";
  function init() {
    var form = document.querySelector("form[data-attendance]");
    if (!form) return;
    var out = form.querySelector("[data-attendance-count]");
    var all = form.querySelector("[data-all-present]");
    var names = { present: "出席", absent: "缺席", leave: "请假" };
    function count() {
      var totals = { present: 0, absent: 0, leave: 0 };
      form.querySelectorAll(".ol-choice-input:checked").forEach(function (input) {
        totals[input.value] = (totals[input.value] || 0) + 1;
      });
      if (out) {
        out.textContent = ["present", "absent", "leave"].map(function (key) {
          var label = form.querySelector('.ol-choice-' + key);
          return (label ? label.textContent.trim() : names[key]) + " " + totals[key];
        }).join(" · ");
      }
    }
    form.addEventListener("change", count);
    if (all) {
      all.hidden = false;
      all.addEventListener("click", function () {
        form.querySelectorAll('.ol-choice-input[value="present"]').forEach(function (input) {
          input.checked = true;
        });
        count();
      });
    }
    count();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
