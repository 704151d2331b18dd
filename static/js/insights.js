// Insights: show the "from / to" fields only when "Chosen days" is picked, also after htmx
// has swapped in new figures (and with them a new form).
(function () {
  function sync(root) {
    (root || document).querySelectorAll(".period-form").forEach(function (form) {
      var choice = form.querySelector(".period-choice");
      if (choice) form.classList.toggle("is-preset", choice.value !== "custom");
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.classList && event.target.classList.contains("period-choice")) sync();
  });
  document.addEventListener("htmx:afterSwap", function () { sync(); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { sync(); });
  } else {
    sync();
  }
})();
