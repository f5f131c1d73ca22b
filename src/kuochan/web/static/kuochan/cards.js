// Tables as cards on a phone: every cell gets its column's header text in data-label, which the phone
// section of app.css shows before the cell's content once rows are stacked as cards. Tables loaded later
// (htmx swaps) are labelled too. A cell that already has a data-label keeps it.
(function () {
  "use strict";

  function label(table) {
    const header = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!header) return;
    const names = [];
    for (const cell of header.cells) {
      for (let i = 0; i < (cell.colSpan || 1); i += 1) names.push(cell.textContent.trim());
    }
    for (const body of table.tBodies) {
      for (const row of body.rows) {
        let column = 0;
        for (const cell of row.cells) {
          if (!cell.hasAttribute("data-label") && names[column] && cell.colSpan < names.length) {
            cell.setAttribute("data-label", names[column]);
          }
          column += cell.colSpan || 1;
        }
      }
    }
  }

  function labelAll(root) {
    root.querySelectorAll("table").forEach(label);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => labelAll(document));
  } else {
    labelAll(document);
  }
  document.addEventListener("htmx:afterSwap", (event) => labelAll(event.target));
})();
