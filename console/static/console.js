// Rampart console: the only script. "Select all" on the users page and a
// count of the selected users; every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var all = document.getElementById("select-all");
  var count = document.getElementById("selected-count");
  if (!all) return;
  var boxes = function () { return document.querySelectorAll("input.select-user"); };
  var update = function () {
    var n = 0;
    boxes().forEach(function (b) { if (b.checked) n++; });
    if (count) count.textContent = n ? n + " selected" : "";
  };
  all.addEventListener("change", function () {
    boxes().forEach(function (b) { b.checked = all.checked; });
    update();
  });
  boxes().forEach(function (b) { b.addEventListener("change", update); });
});
