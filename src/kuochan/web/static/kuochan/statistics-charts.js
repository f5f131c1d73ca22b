// 工业经济月报: each area's year-to-date growth of one indicator month by month, from the page's JSON;
// the province's line dashed and the city's bold, so a district reads against both.
(function () {
  "use strict";
  const element = document.getElementById("growth-trend");
  if (!element) return;
  const data = JSON.parse(document.getElementById("growth-trend-data").textContent);
  const chart = echarts.init(element);
  chart.setOption({
    aria: { enabled: true }, // a text description of the chart for screen readers (GB/T 37668)
    tooltip: { trigger: "axis", valueFormatter: (v) => (v === null || v === undefined ? "—" : `${v}%`) },
    legend: { top: 0, type: "scroll" },
    grid: { left: 50, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
    series: data.series.map((s) => ({
      name: s.name,
      type: "line",
      data: s.data,
      connectNulls: true,
      lineStyle: s.province ? { type: "dashed", width: 3 } : s.city ? { width: 3 } : { width: 1.5 },
      itemStyle: s.province ? { color: "#1d273b" } : s.city ? { color: "#d63939" } : undefined,
    })),
  });
  element.dataset.ready = "true";
  window.addEventListener("resize", () => chart.resize());
})();
