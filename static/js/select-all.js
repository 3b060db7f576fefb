// The review queue's "tick all on this page", without a reload. Where scripts do not run,
// the link's own address does the same: the page comes back with every box ticked. The
// accept form posts the same way either way.
document.querySelectorAll("a.select-all").forEach(function (link) {
  var boxes = link.closest("form").querySelectorAll("input[type=checkbox][name=report]");
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
