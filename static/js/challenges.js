// Keep keyboard focus on the move button after the queue is swapped by htmx.
(function () {
  "use strict";
  var lastKey = null;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-focus-key]");
    lastKey = button ? button.getAttribute("data-focus-key") : null;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!lastKey || !event.detail.target || event.detail.target.id !== "queue") {
      return;
    }
    var queue = document.getElementById("queue");
    var again = queue && queue.querySelector('[data-focus-key="' + lastKey + '"]');
    if (again && !again.disabled) {
      again.focus();
    } else if (queue) {
      var item = queue.querySelector("[data-focus-key]:not([disabled])");
      if (item) { item.focus(); }
    }
  });
})();
