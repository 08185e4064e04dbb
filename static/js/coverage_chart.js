/* The dashboard's coverage chart: townships with and without a station in operation, by region.
 * Data comes from the page (json_script "coverage-data"); ECharts is served from static/vendor. */
(function () {
  "use strict";

  // Tooltips are HTML: every text that comes from the data (region names) is escaped before it goes in.
  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, function (c) { return ENTITIES[c]; });
  }

  function draw() {
    var element = document.getElementById("coverage-chart");
    var source = document.getElementById("coverage-data");
    if (!element || !source || typeof echarts === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var uncovered = data.townships.map(function (total, i) { return total - data.covered[i]; });
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      color: ["#0a4a9a", "#d9e2ef"],
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0, data: [data.labels.covered, data.labels.uncovered] },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: function (items) {
          var i = items[0].dataIndex;
          return (
            escapeHtml(data.names[i]) + "<br>" +
            escapeHtml(data.labels.covered) + ": " + escapeHtml(data.covered[i]) + " / " +
            escapeHtml(data.townships[i]) + "<br>" +
            escapeHtml(data.labels.rate) + ": " + escapeHtml(data.percent[i]) + "%"
          );
        }
      },
      xAxis: { type: "category", data: data.names, axisLabel: { interval: 0, rotate: data.names.length > 8 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        {
          name: data.labels.covered,
          type: "bar",
          stack: "townships",
          barMaxWidth: 42,
          data: data.covered,
          label: {
            show: true,
            position: "insideTop",
            color: "#fff",
            formatter: function (p) { return data.percent[p.dataIndex] + "%"; }
          }
        },
        { name: data.labels.uncovered, type: "bar", stack: "townships", barMaxWidth: 42, data: uncovered }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
