/* Small conveniences on the pages; every form works without them (they only save clicks).
   - [data-select-all=FORM]: tick or untick every checkbox of that form on the page.
   - [data-selected-count=FORM]: says how many are ticked.
   - the tag picker's box (#tag-add): picking a tag from the list applies the search at once.
   - [data-autosubmit]: a select that saves its form when changed (the pipeline's status).
   Kept in a static file so a Content-Security-Policy can forbid inline scripts. */
(function () {
  "use strict";

  function boxes(formId) {
    return Array.prototype.slice.call(document.querySelectorAll('input[type=checkbox][name=profile][form="' + formId + '"]'));
  }

  function updateCount(formId) {
    var out = document.querySelector('[data-selected-count="' + formId + '"]');
    if (!out) return;
    var n = boxes(formId).filter(function (b) { return b.checked; }).length;
    out.textContent = n ? n + (n === 1 ? " creator ticked" : " creators ticked") : "None ticked: exports take the whole search";
  }

  function init(root) {
    (root || document).querySelectorAll("[data-select-all]").forEach(function (all) {
      var formId = all.dataset.selectAll;
      all.closest(".cs-js-only").hidden = false;
      all.addEventListener("change", function () {
        boxes(formId).forEach(function (b) { b.checked = all.checked; });
        updateCount(formId);
      });
      boxes(formId).forEach(function (b) { b.addEventListener("change", function () { updateCount(formId); }); });
    });
    var tagBox = document.getElementById("tag-add");
    if (tagBox) {
      tagBox.addEventListener("change", function () {
        var options = document.querySelectorAll("#tag-options option");
        for (var i = 0; i < options.length; i++) {
          if (options[i].value === tagBox.value) { tagBox.form.requestSubmit(); return; }
        }
      });
    }
    (root || document).querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.requestSubmit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
