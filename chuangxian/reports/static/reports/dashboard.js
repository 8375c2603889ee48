// Draws each dashboard chart from the JSON block next to it (no inline script: the page's
// Content-Security-Policy allows scripts from this site only). A bar opens that child's
// dashboard; the same numbers are in the table under the chart.
(function () {
  "use strict";

  function draw(element) {
    var source = document.getElementById(element.dataset.chart);
    if (!source || !window.echarts) {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (!data.names.length) {
      element.hidden = true;
      return;
    }
    element.style.height = Math.max(160, 28 * data.names.length + 60) + "px";
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", max: data.unit === "%" ? 100 : null, minInterval: 1,
               axisLabel: { formatter: "{value}" + data.unit } },
      yAxis: { type: "category", data: data.names, inverse: true,
               axisLabel: { width: 140, overflow: "truncate" } },
      series: [{
        type: "bar",
        name: data.title,
        data: data.values,
        itemStyle: { color: "#b71c1c" },
        label: { show: true, position: "right", formatter: "{c}" + data.unit }
      }]
    });
    chart.on("click", function (event) {
      var link = data.links[event.dataIndex];
      if (link) {
        window.location.href = link;
      }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function start() {
    document.querySelectorAll("[data-chart]").forEach(draw);
    document.querySelectorAll("select.autosubmit").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
