// A list's "tick all on this page" without a reload: the review queue's reports, the
// portfolio's projects to carry over (the boxes named by the link's data-boxes; "report"
// if it names none). Where scripts do not run, the link's own address does the same: the
// page comes back with every box ticked. The form posts the same way either way.
document.querySelectorAll("a.select-all").forEach(function (link) {
  var name = link.dataset.boxes || "report";
  var boxes = link.closest("form").querySelectorAll("input[type=checkbox][name=" + name + "]");
  function allTicked() {
    return Array.prototype.every.call(boxes, function (box) { return box.checked; });
  }
  function label() {
    link.textContent = allTicked() ? link.dataset.clear : link.dataset.tick;
  }
  link.addEventListener("click", function (event) {
    event.preventDefault();
    var tick = !allTicked();
    boxes.forEach(function (box) { box.checked = tick; });
    label();
  });
  boxes.forEach(function (box) { box.addEventListener("change", label); });
});
