// The home page map: the scope's reporting units coloured by the chosen figure. Data comes from the
// page's JSON script tag; no inline script, so a strict content security policy can apply.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("home-map-data").textContent);
  const element = document.getElementById("home-map");
  if (!element || !data.map_url) return;
  const chart = echarts.init(element);
  const select = document.getElementById("map-figure");
  const byName = Object.fromEntries(data.regions.map((region) => [region.name, region]));
  // A formatter's string is HTML: every name in it is text a user may have typed (a town's name).
  const escape = echarts.format.encodeHTML;

  function draw(figure) {
    const values = data.regions.map((region) => region[figure]);
    const low = Math.min(...values) < Math.max(...values) ? Math.min(...values) : 0;
    chart.setOption({
      aria: { enabled: true }, // a text description of the chart for screen readers (GB/T 37668)
      tooltip: {
        trigger: "item",
        formatter: (params) => {
          const region = byName[params.name];
          if (!region) return escape(params.name) + "<br>不在您的数据范围内";
          return Object.entries(data.figure_labels)
            .map(([key, label]) => escape(label) + "：" + escape(region[key]))
            .reduce((text, line) => text + "<br>" + line, "<b>" + escape(region.unit) + "</b>");
        },
      },
      // The scale spans the districts' own lowest to highest value, on a ramp of several steps, so that
      // districts with close figures still read differently (a scale from 0 paints them all alike). A
      // single district, or districts all alike, read against 0.
      visualMap: {
        min: low,
        max: Math.max(low + 1, ...values),
        left: "left",
        bottom: 10,
        text: ["高", "低"],
        calculable: true,
        inRange: { color: ["#f1f6fd", "#b9d3f3", "#6fa3e3", "#206bc4", "#123f78"] },
      },
      series: [
        {
          type: "map",
          map: data.map_key,
          roam: false,
          label: { show: true, fontSize: 12, color: "#1d273b", textBorderColor: "#ffffff", textBorderWidth: 2 },
          itemStyle: { areaColor: "#eeeeee", borderColor: "#ffffff" },
          emphasis: { label: { show: true } },
          data: data.regions.map((region) => ({ name: region.name, value: region[figure] })),
        },
      ],
    });
  }

  fetch(data.map_url, { credentials: "same-origin" })
    .then((response) => response.json())
    .then((geojson) => {
      echarts.registerMap(data.map_key, geojson);
      draw(select.value);
      element.dataset.ready = "true";
    });
  select.addEventListener("change", () => draw(select.value));
  chart.on("click", (params) => {
    const region = byName[params.name];
    if (region) window.location.href = region.url;
  });
  window.addEventListener("resize", () => chart.resize());
})();
