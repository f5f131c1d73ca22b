// The evaluation pages' stacked bar charts: classes by district, carbon grades by industry. Data, with the
// colours every page uses for each class and grade, comes from the page's JSON script tags.
(function () {
  "use strict";
  const stacked = (elementId, dataId, categoriesKey, horizontal) => {
    const element = document.getElementById(elementId);
    if (!element) return;
    const data = JSON.parse(document.getElementById(dataId).textContent);
    const categories = { type: "category", data: data[categoriesKey], inverse: horizontal };
    const values = { type: "value", minInterval: 1 };
    const chart = echarts.init(element);
    chart.setOption({
      aria: { enabled: true }, // a text description of the chart for screen readers (GB/T 37668)
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: horizontal ? 180 : 50, right: 20, top: 40, bottom: 30 },
      xAxis: horizontal ? values : categories,
      yAxis: horizontal ? categories : values,
      series: data.series.map((s) => ({
        name: s.name, type: "bar", stack: "total", data: s.data, itemStyle: { color: s.colour },
      })),
    });
    element.dataset.ready = "true";
    window.addEventListener("resize", () => chart.resize());
  };
  stacked("class-chart", "class-chart-data", "districts", false);
  stacked("grade-chart", "grade-chart-data", "industries", true);
})();
