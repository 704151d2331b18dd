// Insights: show the "from / to" fields only when "Chosen days" is picked.
(function () {
  function sync(form) {
    var choice = form.querySelector(".period-choice");
    if (!choice) return;
    form.classList.toggle("is-preset", choice.value !== "custom");
  }
  function init() {
    document.querySelectorAll(".period-form").forEach(function (form) {
      sync(form);
      form.addEventListener("change", function () { sync(form); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
