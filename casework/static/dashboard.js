/* The dashboard's charts (Chart.js 4.6.1, static/vendor/chart.umd.min.js), each drawn from the table after its
   canvas: the first cell of a body row is its label; every column whose header has `data-series` is a dataset,
   read from its cells' `data-value` (empty: no value); `data-axis="percent"` puts one on a 0–100 axis of its own.
   Right to left in Arabic: the category axis runs from the right, the value axis stands on the right, and the
   legend and tooltips read right to left. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;  // the tables stand on their own
  const root = document.documentElement;
  const rtl = root.dir === "rtl";
  const locale = (root.lang || "en") + "-u-nu-latn";  // the digits the tables use
  const style = getComputedStyle(root);
  const colours = [style.getPropertyValue("--accent").trim() || "#0b5f3b", "#8250df", "#bf8700", "#a40e26"];
  const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function read(table) {
    const headers = Array.from(table.tHead.rows[0].cells);
    const series = headers.map((cell, column) => ({cell, column})).filter(({cell}) => cell.hasAttribute("data-series"));
    const rows = Array.from(table.tBodies[0].rows).filter((row) => row.cells[0].scope === "row");
    return {
      labels: rows.map((row) => row.cells[0].textContent.trim()),
      datasets: series.map(({cell, column}, n) => ({
        label: cell.textContent.trim(),
        percent: cell.dataset.axis === "percent",
        data: rows.map((row) => {
          const value = row.cells[column].dataset.value;
          return value === "" || value === undefined ? null : Number(value);
        }),
        colour: colours[n % colours.length],
      })),
    };
  }

  function draw(canvas) {
    const table = document.getElementById(canvas.dataset.table);
    if (!table) return;
    const kind = canvas.dataset.chart;
    const horizontal = kind === "hbar";
    const {labels, datasets} = read(table);
    const percent = datasets.some((set) => set.percent);
    const category = {reverse: rtl && !horizontal, position: horizontal ? (rtl ? "right" : "left") : "bottom",
                      ticks: {autoSkip: true}};
    const value = {beginAtZero: true, ticks: {precision: 0}, reverse: rtl && horizontal,
                   position: horizontal ? "bottom" : (rtl ? "right" : "left")};
    const scales = horizontal ? {x: value, y: category} : {x: category, y: value};
    if (percent) scales.percent = {axis: "y", min: 0, max: 100, position: rtl ? "left" : "right", grid: {drawOnChartArea: false}};
    new Chart(canvas, {
      type: kind === "line" ? "line" : "bar",
      data: {
        labels,
        datasets: datasets.map((set) => ({
          label: set.label, data: set.data, borderColor: set.colour, backgroundColor: set.colour,
          yAxisID: set.percent ? "percent" : undefined, spanGaps: false, tension: 0,
        })),
      },
      options: {
        locale, indexAxis: horizontal ? "y" : "x", maintainAspectRatio: false, animation: still ? false : undefined,
        layout: {padding: {left: 12, right: 12}},  // room for the first and last rotated labels
        scales,
        plugins: {
          legend: {display: datasets.length > 1, rtl, textDirection: rtl ? "rtl" : "ltr"},
          tooltip: {rtl, textDirection: rtl ? "rtl" : "ltr"},
        },
      },
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
