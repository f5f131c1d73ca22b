// The forecast's fan charts: the P10–P90 band, the median and the target by year, from the page's JSON.
(function () {
  "use strict";
  for (const element of document.querySelectorAll("[id^='fan-']")) {
    const key = element.id.slice(4);
    const data = JSON.parse(document.getElementById(key).textContent);
    const chart = echarts.init(element);
    chart.setOption({
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
})();
