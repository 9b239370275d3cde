// Weekly schedules: small enhancements; every page works without them.
(function () {
  "use strict";
  // The center picker: a county's "whole county" box ticks or clears its centers.
  document.querySelectorAll(".picker__county").forEach(function (group) {
    var all = group.querySelector("[data-county-all]");
    if (!all) return;
    all.addEventListener("change", function () {
      group.querySelectorAll('input[name="center_ids"]').forEach(function (box) {
        box.checked = all.checked;
      });
    });
  });
  document.querySelectorAll("[data-picker]").forEach(function (button) {
    button.addEventListener("click", function () {
      var on = button.getAttribute("data-picker") === "all";
      var picker = button.closest(".picker");
      picker.querySelectorAll('input[type="checkbox"]').forEach(function (box) {
        if (box.name === "center_ids") box.checked = on;
        if (box.name === "county_ids" && !on) box.checked = false;
      });
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
