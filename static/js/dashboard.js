/* The dashboard's charts (templates/reports/dashboard/dashboard.html): services and people by month, the visit
 * rate against its goal, the city's and the townships' shares, the grades. The figures come from the page
 * (json_script "dashboard-data", built by reports/dashboard_pages/dashboard.py); ECharts from static/vendor. */
(function () {
  "use strict";

  var BLUE = "#0a4a9a", TEAL = "#1f9d8b", ORANGE = "#e08a1e", RED = "#c0392b", GREY = "#9aa5b1";
  // Tooltips are HTML: every text that comes from the data (region names) is escaped before it goes in.
  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, function (c) { return ENTITIES[c]; });
  }
  function percent(value) {
    return value === null || value === undefined ? "—" : (Math.round(value * 1000) / 10) + "%";
  }

  function chartIn(id) {
    var element = document.getElementById(id);
    if (!element) { return null; }
    var chart = echarts.init(element, null, { renderer: "svg" });
    window.addEventListener("resize", function () { chart.resize(); });
    return chart;
  }

  function months(data) {
    var chart = chartIn("months-chart");
    if (!chart) { return; }
    chart.setOption({
      color: [BLUE, ORANGE],
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0, data: [data.labels.records, data.labels.people] },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.months.labels },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", minInterval: 1, splitLine: { show: false } }],
      series: [
        { name: data.labels.records, type: "bar", barMaxWidth: 28, data: data.months.records },
        { name: data.labels.people, type: "line", yAxisIndex: 1, smooth: true, data: data.months.people }
      ]
    });
  }

  function visits(data) {
    var chart = chartIn("visits-chart");
    if (!chart) { return; }
    var byRegion = data.visits.names.length > 0;
    var names = byRegion ? data.visits.names : data.months.labels;
    var rates = byRegion ? data.visits.rates : data.months.visit_rate;
    var goals = byRegion ? data.visits.goals : names.map(function () { return data.visits.goal; });
    var asPercent = function (v) { return v === null ? null : Math.round(v * 1000) / 10; };
    chart.setOption({
      color: [TEAL, RED],
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      legend: { top: 0, data: [data.labels.visit_rate, data.labels.goal] },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: function (items) {
          var i = items[0].dataIndex;
          return escapeHtml(names[i]) + "<br>" + escapeHtml(data.labels.visit_rate) + ": " + escapeHtml(percent(rates[i])) +
            "<br>" + escapeHtml(data.labels.goal) + ": " + escapeHtml(percent(goals[i]));
        }
      },
      xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        {
          name: data.labels.visit_rate, type: "bar", barMaxWidth: 36, data: rates.map(asPercent),
          itemStyle: { color: function (p) { return rates[p.dataIndex] !== null && rates[p.dataIndex] >= goals[p.dataIndex] ? TEAL : ORANGE; } }
        },
        { name: data.labels.goal, type: "line", step: "middle", symbol: "none", lineStyle: { type: "dashed" }, data: goals.map(asPercent) }
      ]
    });
  }

  function shares(data) {
    var chart = chartIn("shares-chart");
    if (!chart || !data.shares) { return; }
    var empty = data.shares.city === 0 && data.shares.township === 0;
    chart.setOption({
      color: [BLUE, TEAL],
      title: empty ? { text: data.labels.no_data, left: "center", top: "middle", textStyle: { color: GREY, fontSize: 14 } } : undefined,
      legend: { top: 0 },
      tooltip: { trigger: "item", formatter: function (p) { return escapeHtml(p.name) + ": ¥" + escapeHtml(p.value.toLocaleString("zh-CN", { minimumFractionDigits: 2 })) + " (" + escapeHtml(p.percent) + "%)"; } },
      series: [{
        type: "pie", radius: ["40%", "70%"], top: 24,
        label: { formatter: "{b}\n{d}%" },
        data: empty ? [] : [
          { name: data.labels.city, value: data.shares.city },
          { name: data.labels.township, value: data.shares.township }
        ]
      }]
    });
  }

  function grades(data) {
    var chart = chartIn("grades-chart");
    if (!chart) { return; }
    var none = data.grades.counts.every(function (n) { return n === 0; });
    chart.setOption({
      title: none ? { text: data.labels.no_data, left: "center", top: "middle", textStyle: { color: GREY, fontSize: 14 } } : undefined,
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "category", data: data.grades.names },
      yAxis: { type: "value", minInterval: 1 },
      series: [{
        name: data.labels.grades, type: "bar", barMaxWidth: 48, data: data.grades.counts,
        label: { show: true, position: "top" },
        itemStyle: { color: function (p) { return [TEAL, BLUE, ORANGE, RED][p.dataIndex]; } }
      }]
    });
  }

  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    months(data);
    visits(data);
    shares(data);
    grades(data);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
