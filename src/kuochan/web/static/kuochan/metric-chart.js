// The enterprise profile's trend chart: headline metrics by year, from the page's JSON script tag.
(function () {
  "use strict";
  const element = document.getElementById("metric-chart");
  if (!element) return;
  const data = JSON.parse(document.getElementById("metric-chart-data").textContent);
  const chart = echarts.init(element);
  chart.setOption({
      aria: { enabled: true }, // a text description of the chart for screen readers (GB/T 37668)
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 60, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.years.map((year) => year + "年") },
    yAxis: { type: "value", name: "万元" },
    series: data.series.map((s) => ({ name: s.name, type: "line", data: s.data, connectNulls: false })),
  });
  element.dataset.ready = "true";
  window.addEventListener("resize", () => chart.resize());
})();
