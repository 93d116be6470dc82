// Client-side sort (click a header with data-sort) and filter (a search box with data-filter) for tables,
// and a confirmation before a form with data-confirm is sent (no inline handlers: the CSP forbids them).
(function () {
  document.addEventListener("submit", (event) => {
    const question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });
  function cellValue(row, index) {
    const cell = row.children[index];
    return cell ? (cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim()) : "";
  }
  function sortBy(th) {
    const table = th.closest("table"), body = table.tBodies[0];
    const index = Array.from(th.parentNode.children).indexOf(th);
    const numeric = th.dataset.sort === "num", ascending = !th.classList.contains("asc");
    const rows = Array.from(body.rows).filter((r) => r.children.length > 1);
    rows.sort((a, b) => {
      let x = cellValue(a, index), y = cellValue(b, index);
      if (numeric) { x = parseFloat(x) || 0; y = parseFloat(y) || 0; return ascending ? x - y : y - x; }
      return ascending ? x.localeCompare(y, undefined, {numeric: true}) : y.localeCompare(x, undefined, {numeric: true});
    });
    th.parentNode.querySelectorAll("th").forEach((h) => h.classList.remove("asc", "desc"));
    th.classList.add(ascending ? "asc" : "desc");
    rows.forEach((r) => body.appendChild(r));
  }
  document.addEventListener("click", (event) => {
    const th = event.target.closest("th[data-sort]");
    if (th) sortBy(th);
    const all = event.target.closest("input.all");
    if (all) all.closest("table").querySelectorAll("tbody input[name=ref]:not(:disabled)").forEach((c) => { c.checked = all.checked; });
  });
  document.addEventListener("input", (event) => {
    const box = event.target.closest("input[data-filter]");
    if (!box) return;
    const words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    document.querySelectorAll(box.dataset.filter + " tbody tr").forEach((row) => {
      const text = row.textContent.toLowerCase();
      row.hidden = !words.every((w) => text.includes(w));
    });
  });
})();
