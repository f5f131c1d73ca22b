// The targets pages' charts, from the page's JSON: the forecast's fan charts (the P10–P90 band, the median
// and the target by year) and the progress board's completion against time pace by indicator.
(function () {
  "use strict";
  for (const element of document.querySelectorAll("[id^='fan-']")) {
    const key = element.id.slice(4);
    const data = JSON.parse(document.getElementById(key).textContent);
    const chart = echarts.init(element);
    chart.setOption({
      aria: { enabled: true }, // a text description of the chart for screen readers (GB/T 37668)
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["P10–P90", "P50", "目标"] },
      grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: data.years },
      yAxis: { type: "value" },
      series: [
        { name: "P10", type: "line", data: data.p10, stack: "band", lineStyle: { opacity: 0 }, symbol: "none" },
        {
          name: "P10–P90", type: "line", data: data.p90.map((v, i) => v - data.p10[i]), stack: "band",
          lineStyle: { opacity: 0 }, symbol: "none", areaStyle: { color: "#206bc4", opacity: 0.2 },
        },
        { name: "P50", type: "line", data: data.p50, itemStyle: { color: "#206bc4" } },
        { name: "目标", type: "line", data: data.target, lineStyle: { type: "dashed" }, itemStyle: { color: "#d63939" } },
      ],
    });
    element.dataset.ready = "true";
    window.addEventListener("resize", () => chart.resize());
  }

  const progress = document.getElementById("progress-chart");
  if (progress) {
    const data = JSON.parse(document.getElementById("progress-chart-data").textContent);
    const colours = { red: "#d63939", yellow: "#f59f00", green: "#2fb344", none: "#adb5bd" };
    const chart = echarts.init(progress);
    chart.setOption({
      aria: { enabled: true }, // a text description of the chart for screen readers (GB/T 37668)
      tooltip: { trigger: "axis", valueFormatter: (v) => `${v}%` },
      legend: { top: 0, data: ["完成率", "时序进度"] },
      grid: { left: 190, right: 30, top: 40, bottom: 30 },
      xAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: data.names, inverse: true },
      series: [
        { name: "完成率", type: "bar", data: data.completion.map((v, i) => ({ value: v, itemStyle: { color: colours[data.lights[i]] } })) },
        { name: "时序进度", type: "scatter", symbol: "rect", symbolSize: [3, 18], data: data.pace, itemStyle: { color: "#1d273b" } },
      ],
    });
    progress.dataset.ready = "true";
    window.addEventListener("resize", () => chart.resize());
  }
})();
