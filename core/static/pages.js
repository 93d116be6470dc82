// The pages' script (their CSP allows no inline script).
// Scanner-friendly forms (form[data-scan]): a barcode scanner is a keyboard that types a code and Enter.
// Enter in a field moves the focus to the next required field; Enter in the last one submits. A form is sent once:
// its idempotency key makes a second send harmless, and the button is disabled while the first is on its way.
(function () {
  function fieldsOf(form) {
    return Array.from(form.querySelectorAll("input:not([type=hidden]), select, textarea"))
      .filter(function (el) { return !el.disabled && el.offsetParent !== null; });
  }
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    var form = field.form;
    if (event.key !== "Enter" || !form || !form.hasAttribute("data-scan")) return;
    event.preventDefault();
    var fields = fieldsOf(form);
    // optional fields (a note) are skipped: Enter after the quantity books
    var next = fields.slice(fields.indexOf(field) + 1).filter(function (el) {
      return !el.hasAttribute("data-optional");
    })[0];
    if (next) {
      next.focus();
      if (next.select) next.select();
    } else {
      form.requestSubmit();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-scan")) return;
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
  });
  // A file input with data-clears="#id" empties that element when another file is chosen (its report).
  document.addEventListener("change", function (event) {
    var target = event.target.getAttribute && event.target.getAttribute("data-clears");
    if (target) document.querySelector(target).innerHTML = "";
  });
})();
