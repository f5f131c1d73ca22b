// The cockpit's charts: the map coloured by the chosen figure, the light distribution, 破五未 and the
// investment trend. Data comes from the page's JSON script tag; every part a user can click drills into
// the list behind it. No inline script, so a strict content security policy can apply.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("cockpit-data").textContent);
  const dark = document.documentElement.dataset.bsTheme === "dark";
  const text = dark ? "#e6e7e9" : "#1d273b";
  const charts = [];
  // A formatter's string is HTML: every name in it is text a user may have typed (a unit, an indicator).
  const escape = echarts.format.encodeHTML;
  const open = (params) => {
    if (params.data && params.data.url) window.location.href = params.data.url;
  };

  function chart(id, option) {
    const element = document.getElementById(id);
    if (!element) return null;
    const made = echarts.init(element, dark ? "dark" : null, { renderer: "canvas" });
    made.setOption({ backgroundColor: "transparent", textStyle: { color: text }, ...option });
    made.on("click", open);
    element.dataset.ready = "true";
    charts.push(made);
    return made;
  }

  const lightColours = { red: "#d63939", yellow: "#f59f00", green: "#2fb344", none: "#adb5bd" };
  chart("cockpit-lights", {
    tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
    series: [{
      type: "pie", radius: ["45%", "75%"], label: { show: false },
      data: data.lights.map((l) => ({ ...l, itemStyle: { color: lightColours[l.key] } })),
    }],
  });
  chart("cockpit-stalls", {
    tooltip: { trigger: "axis" },
    grid: { left: 80, right: 20, top: 10, bottom: 20 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: data.stalls.map((s) => s.name), inverse: true },
    series: [{ type: "bar", data: data.stalls, itemStyle: { color: "#f76707" } }],
  });
  chart("cockpit-investment", {
    tooltip: { trigger: "axis" },
    legend: { top: 0, textStyle: { color: text } },
    grid: { left: 50, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.investment.months },
    yAxis: { type: "value", name: "亿元" },
    series: [
      { name: "本年", type: "line", data: data.investment.this_year, itemStyle: { color: "#206bc4" } },
      { name: "上年", type: "line", data: data.investment.last_year, lineStyle: { type: "dashed" }, itemStyle: { color: "#adb5bd" } },
    ],
  });

  const mapElement = document.getElementById("cockpit-map");
  const select = document.getElementById("cockpit-map-figure");
  if (mapElement && data.map_url) {
    const map = echarts.init(mapElement, dark ? "dark" : null);
    charts.push(map);
    const value = (region, figure) =>
      figure.startsWith("completion:") ? Math.round((region.completion[figure.slice(11)] ?? 0) * 1000) / 10 : region[figure];
    const draw = (figure) => {
      const values = data.regions.map((region) => value(region, figure));
      const percent = figure.startsWith("completion:");
      map.setOption({
        backgroundColor: "transparent",
        // Recoloured at once and merged into the same components: replacing the whole option removed the
        // visual map while its handles were still drawn, and ECharts then read what it had just removed (a
        // page error, seen in the cockpit's browser test now and then).
        animation: false,
        tooltip: {
          trigger: "item",
          formatter: (p) => (p.data
            ? `${escape(p.data.unit)}<br>${escape(select.selectedOptions[0].text)}：${escape(p.value)}${percent ? "%" : ""}`
            : escape(p.name)),
        },
        visualMap: {
          min: 0, max: Math.max(1, ...values), left: "left", bottom: 10, calculable: true, text: ["高", "低"],
          textStyle: { color: text },
          inRange: { color: figure === "red" ? ["#fdeaea", "#d63939"] : figure === "yellow" ? ["#fff4db", "#f59f00"] : ["#e0ecff", "#206bc4"] },
        },
        series: [{
          type: "map", map: data.map_key, roam: false,
          label: { show: true, color: "#1d273b", textBorderColor: "#ffffff", textBorderWidth: 2 },
          // a region opens its projects: those of the chosen light, or all of them
          data: data.regions.map((region) => ({
            name: region.name, unit: region.unit, value: value(region, figure),
            url: figure === "red" || figure === "yellow" ? `${region.url}&light=${figure}` : region.url,
          })),
        }],
      });
    };
    fetch(data.map_url, { credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then((geojson) => {
        echarts.registerMap(data.map_key, geojson);
        draw(select.value);
        mapElement.dataset.ready = "true";
      })
      .catch(() => {
        map.dispose();
        mapElement.textContent = "地图加载失败，请刷新页面重试。";
        mapElement.classList.add("text-secondary");
      });
    select.addEventListener("change", () => draw(select.value));
    map.on("click", open);
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
