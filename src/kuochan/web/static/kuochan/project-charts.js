// The project page's charts: milestones planned against actual, and year-to-date investment against the
// year's plan. Data comes from the page's JSON script tags.
(function () {
  "use strict";
  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  const escape = echarts.format.encodeHTML; // a formatter's string is HTML

  const timeline = document.getElementById("milestone-chart");
  if (timeline) {
    const data = read("milestone-chart-data");
    const points = (dates) => dates.map((day, i) => (day ? [day, data.milestones[i]] : null)).filter(Boolean);
    const within = (day) => (!data.start || day >= data.start) && (!data.end || day <= data.end); // ISO dates
    const chart = echarts.init(timeline);
    chart.setOption({
      aria: { enabled: true }, // a text description of the chart for screen readers (GB/T 37668)
      tooltip: { trigger: "item", formatter: (p) => escape(`${p.seriesName}${p.value[1]}：${p.value[0]}`) },
      legend: { top: 0 },
      grid: { left: 50, right: 30, top: 40, bottom: 30 },
      xAxis: { type: "time", min: data.start || undefined, max: data.end || undefined }, // the project's own dates
      yAxis: { type: "category", data: data.milestones, inverse: true },
      series: [
        { name: "计划", type: "scatter", symbol: "circle", symbolSize: 12, itemStyle: { color: "#adb5bd" }, data: points(data.planned) },
        {
          name: "实际", type: "scatter", symbol: "diamond", symbolSize: 14, itemStyle: { color: "#2fb344" }, data: points(data.actual),
          markLine: { symbol: "none", label: { formatter: "截至 " + data.as_of, position: "start" }, lineStyle: { color: "#d63939" }, data: within(data.as_of) ? [{ xAxis: data.as_of }] : [] },
        },
      ],
    });
    timeline.dataset.ready = "true";
    window.addEventListener("resize", () => chart.resize());
  }

  const progress = document.getElementById("progress-chart");
  if (progress) {
    const data = read("progress-chart-data");
    const chart = echarts.init(progress);
    chart.setOption({
      aria: { enabled: true }, // a text description of the chart for screen readers (GB/T 37668)
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 60, right: 20, top: 40, bottom: 30 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", name: "万元" },
      series: [
        { name: "本年累计完成投资", type: "bar", data: data.ytd, itemStyle: { color: "#206bc4" } },
        { name: "年度计划投资", type: "line", step: "end", data: data.plan, itemStyle: { color: "#f59f00" } },
      ],
    });
    progress.dataset.ready = "true";
    window.addEventListener("resize", () => chart.resize());
  }
})();
