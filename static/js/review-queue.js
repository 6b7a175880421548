/* Keyboard review for the subreddit queue: j/k move, x selects, one key per status,
   a / r accept or reject the highlighted subreddit's suggested status.
   Every action is an ordinary form submit, so the page works the same without this script. */
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  if (!form) return;
  var items = Array.prototype.slice.call(form.querySelectorAll(".cs-queue-item"));
  var current = 0;

  function focus(index) {
    if (!items.length) return;
    current = Math.max(0, Math.min(items.length - 1, index));
    items.forEach(function (item, i) { item.classList.toggle("cs-current", i === current); });
    items[current].focus();
    items[current].scrollIntoView({ block: "nearest" });
  }

  items.forEach(function (item, i) { item.addEventListener("focus", function () { current = i; focus(i); }); });

  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (event.ctrlKey || event.metaKey || event.altKey || tag === "input" || tag === "select" || tag === "textarea") return;
    var key = event.key.toLowerCase();
    if (key === "j") { focus(current + 1); event.preventDefault(); return; }
    if (key === "k") { focus(current - 1); event.preventDefault(); return; }
    if (key === "x" && items[current]) {
      var box = items[current].querySelector("input[type=checkbox]");
      if (box) box.checked = !box.checked;
      event.preventDefault();
      return;
    }
    if (!items[current]) return;
    var button = items[current].querySelector('button[data-key="' + key + '"]');
    if (!button) return;
    event.preventDefault();
    var selected = form.querySelectorAll("input[name=community]:checked");
    if (selected.length && !button.dataset.suggestion) {
      form.querySelector("#bulk-status").value = button.dataset.status;
      form.querySelector("#bulk-review").click();
    } else {
      button.click();
    }
  });
})();
