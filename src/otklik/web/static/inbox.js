// The inbox's keyboard: j/k move, x select, Enter open, a assign, c close, / filter,
// r reply (on a case), ? help, Esc close help. A static file: the CSP forbids inline scripts.
(function () {
  "use strict";
  var overlay = document.getElementById("shortcuts");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-case]"));
  var current = rows.length ? 0 : -1;
  var bulk = document.getElementById("bulk");
  var action = document.getElementById("bulk-action");

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  function mark() {
    rows.forEach(function (row, index) { row.classList.toggle("current", index === current); });
    if (current >= 0) { rows[current].scrollIntoView({ block: "nearest" }); }
  }
  function box(row) { return row.querySelector("input[type=checkbox][name=ids]"); }
  function selected() {
    return rows.filter(function (row) { var b = box(row); return b && b.checked; });
  }
  function count() {
    var shown = document.querySelector("[data-selected-count]");
    if (shown) { shown.textContent = String(selected().length); }
  }
  function showFields() {
    if (!bulk || !action) { return; }
    bulk.querySelectorAll("[data-for]").forEach(function (field) {
      field.hidden = field.getAttribute("data-for") !== action.value;
    });
  }
  function help(open) { if (overlay) { overlay.hidden = !open; } }
  function bulkAction(name, focusId) {
    if (!bulk || !action) { return false; }
    if (!selected().length && current >= 0 && box(rows[current])) { box(rows[current]).checked = true; count(); }
    action.value = name;
    showFields();
    var field = document.getElementById(focusId);
    if (field) { field.focus(); if (field.select) { field.select(); } }
    return true;
  }
  function focus(id) {
    var field = document.getElementById(id);
    if (field) { field.focus(); return true; }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Escape") { help(false); if (typing(event.target)) { event.target.blur(); } return; }
    if (typing(event.target)) { return; }
    var done = true;
    switch (event.key) {
      case "j": if (rows.length) { current = Math.min(rows.length - 1, current + 1); mark(); } break;
      case "k": if (rows.length) { current = Math.max(0, current - 1); mark(); } break;
      case "x":
        if (current >= 0 && box(rows[current])) { box(rows[current]).checked = !box(rows[current]).checked; count(); }
        break;
      case "Enter": case "o":
        if (current >= 0) { window.location.href = rows[current].getAttribute("data-href"); } else { done = false; }
        break;
      case "a": done = bulkAction("assign", "bulk-assignee") || focus("assignee"); break;
      case "c": done = bulkAction("close", "bulk-note") || focus("close-note"); break;
      case "r": done = focus("reply-body"); break;
      case "/": {
        var first = document.querySelector("#filters select, #filters input");
        if (first) { first.focus(); } else { done = false; }
        break;
      }
      case "?": help(overlay ? overlay.hidden : false); break;
      default: done = false;
    }
    if (done) { event.preventDefault(); }
  });

  document.querySelectorAll("[data-shortcuts-open]").forEach(function (button) {
    button.addEventListener("click", function () { help(true); });
  });
  document.querySelectorAll("[data-shortcuts-close]").forEach(function (button) {
    button.addEventListener("click", function () { help(false); });
  });
  if (overlay) {
    overlay.addEventListener("click", function (event) { if (event.target === overlay) { help(false); } });
  }
  var all = document.getElementById("select-page");
  if (all) {
    all.addEventListener("change", function () {
      rows.forEach(function (row) { var b = box(row); if (b) { b.checked = all.checked; } });
      count();
    });
  }
  rows.forEach(function (row, index) {
    var b = box(row);
    if (b) { b.addEventListener("change", count); }
    row.addEventListener("click", function () { current = index; mark(); });
  });
  if (action) { action.addEventListener("change", showFields); }
  showFields();
  count();
  mark();
  document.body.setAttribute("data-keys-ready", "true");
})();
