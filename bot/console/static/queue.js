// The queue: "select every waiting case", to close a flood of fake cases at once
// (bot/console/bulk.py). Without scripts each case is ticked by hand.
(function () {
  "use strict";
  var every = document.getElementById("select-waiting");
  if (!every) return;
  every.parentNode.hidden = false;
  every.addEventListener("change", function () {
    document.querySelectorAll('#queue input[name="ids"][data-state="queued"]').forEach(function (box) {
      box.checked = every.checked;
    });
  });
}());
