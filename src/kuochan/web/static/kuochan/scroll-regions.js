// A table wider than the screen scrolls sideways inside its `.table-responsive` box. A keyboard user can only
// scroll it if the box takes the focus, so a box that overflows gets tabindex 0 and is named for a screen
// reader (WCAG 2.1.1; axe-core's scrollable-region-focusable). Run on load, on resize and after htmx swaps.
(function () {
  "use strict";

  function mark() {
    document.querySelectorAll(".table-responsive").forEach((box) => {
      if (box.scrollWidth > box.clientWidth) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        const title = box.closest(".card")?.querySelector(".card-title")?.textContent.trim();
        box.setAttribute("aria-label", `${title || "表格"}（可左右滚动）`);
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", mark);
  document.addEventListener("htmx:afterSettle", mark);
  window.addEventListener("resize", mark);
})();
