// The header search box: htmx fetches a few hits of each kind as you type (debounced in the
// markup); this script makes the list a keyboard combobox. Arrow keys move through the
// suggestions, Enter opens the one chosen (or, with none chosen, submits the form to the
// results page), Escape closes the list. Without JavaScript the form is a plain GET search.
(function () {
  "use strict";
  var input = document.getElementById("site-search-q");
  var list = document.getElementById("site-search-list");
  if (!input || !list) return;
  var form = input.form;
  var active = -1;

  function options() {
    return Array.prototype.slice.call(list.querySelectorAll('[role="option"]'));
  }

  function show() {
    var has = options().length > 0 || list.textContent.trim() !== "";
    list.hidden = !has;
    input.setAttribute("aria-expanded", has ? "true" : "false");
  }

  function hide() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    choose(-1);
  }

  function choose(index) {
    var opts = options();
    opts.forEach(function (o) {
      o.classList.remove("is-active");
      o.setAttribute("aria-selected", "false");
    });
    if (index < 0 || !opts.length) {
      active = -1;
      input.removeAttribute("aria-activedescendant");
      return;
    }
    active = (index + opts.length) % opts.length;
    var opt = opts[active];
    opt.classList.add("is-active");
    opt.setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", opt.id);
    opt.scrollIntoView({ block: "nearest" });
  }

  input.addEventListener("keydown", function (event) {
    var opts = options();
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!opts.length) return;
      event.preventDefault();
      if (list.hidden) show();
      if (event.key === "ArrowDown") choose(active + 1);
      else choose(active <= 0 ? opts.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0 && !list.hidden) {
      event.preventDefault();
      window.location.assign(opts[active].href);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      hide();
    }
  });

  input.addEventListener("focus", function () {
    if (input.value.trim() && options().length) show();
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target === list) {
      active = -1;
      input.removeAttribute("aria-activedescendant");
      show();
    }
  });

  document.addEventListener("click", function (event) {
    if (!form.contains(event.target)) hide();
  });
})();
