/* The county dashboard's charts (Chart.js, vendored). Every chart has a table beside it. */
(function () {
  "use strict";
  var source = document.getElementById("report-charts");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var css = getComputedStyle(document.documentElement);
  var color = function (name, fallback) { return (css.getPropertyValue(name) || fallback).trim(); };
  var brand = color("--brand", "#0b5c8a");
  var leisure = color("--leisure", "#6b3fa0");
  var health = color("--health", "#0d6b5e");
  var ink = color("--ink", "#1a1f2b");
  Chart.defaults.color = ink;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 14;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = false;
  var charts = window.ieumCharts = {};

  function make(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { charts[id] = new Chart(canvas, config); }
  }

  make("chart-weekly", {
    data: {
      labels: data.weekly.labels,
      datasets: [
        { type: "bar", label: data.text.headcount, data: data.weekly.headcount, yAxisID: "y1",
          backgroundColor: "rgba(11, 92, 138, 0.25)", borderColor: brand, borderWidth: 1 },
        { type: "line", label: data.text.rate, data: data.weekly.rate, yAxisID: "y",
          borderColor: brand, backgroundColor: brand, borderWidth: 3, pointRadius: 4 }
      ]
    },
    options: {
      scales: {
        y: { min: 0, max: 100, position: "left", title: { display: true, text: data.text.rate } },
        y1: { min: 0, position: "right", grid: { drawOnChartArea: false },
              title: { display: true, text: data.text.headcount } }
      }
    }
  });

  var compareBox = document.querySelector("#chart-compare") && document.querySelector("#chart-compare").parentNode;
  if (compareBox) {  /* about 2.2rem a bar, between 10 and 60rem */
    compareBox.style.height = Math.max(10, Math.min(60, 3 + data.compare.labels.length * 2.2)) + "rem";
  }

  make("chart-compare", {
    type: "bar",
    data: {
      labels: data.compare.labels,
      datasets: [{ label: data.text.rate, data: data.compare.rate, backgroundColor: brand }]
    },
    options: { indexAxis: "y", scales: { x: { min: 0, max: 100 } }, plugins: { legend: { display: false } } }
  });

  make("chart-category", {
    type: "doughnut",
    data: {
      labels: data.category.labels,
      datasets: [{
        label: data.text.headcount, data: data.category.headcount,
        backgroundColor: data.category.keys.map(function (k) { return k === "health" ? health : leisure; })
      }]
    }
  });
})();
