// Expert sessions: the live board's poll is quiet and cheap. No sounds, no focus changes.
(function () {
  "use strict";

  var gettext = window.gettext || function (text) { return text; };

  function isPoll(event) {
    var elt = event.detail && event.detail.elt;
    return elt && elt.classList && elt.classList.contains("eqa-poll");
  }

  // Do not poll while the tab is hidden; the next visible tick catches up.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (isPoll(event) && document.hidden) {
      event.preventDefault();
    }
  });

  // A poll that brings the same bar again leaves the one on screen alone, so a reader about
  // to click it never finds it replaced under the pointer.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!isPoll(event)) return;
    var slot = document.getElementById("board-news");
    var incoming = document.createElement("div");
    incoming.innerHTML = event.detail.serverResponse || "";
    if (slot && slot.textContent.trim() && slot.textContent.trim() === incoming.textContent.trim()) {
      event.detail.shouldSwap = false;
    }
  });

  // "Show" swaps the whole board in; keep whatever the reader was typing on it.
  var drafts = null;
  var oldBoard = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!elt || !elt.closest || !elt.closest(".eqa-news")) return;
    drafts = {};
    oldBoard = document.getElementById("board");
    document.querySelectorAll("#board textarea[id], #board input[type=text][name=note]").forEach(function (field) {
      var key = field.id || (field.form && field.form.action + "#" + field.name);
      if (key && field.value) drafts[key] = field.value;
    });
  });
  // Restore in the same task as the swap, so the new board never shows without the draft.
  document.addEventListener("htmx:afterSwap", function () {
    // Other swaps (a poll refreshing the bar) may come first: wait for the new board.
    if (!drafts || document.getElementById("board") === oldBoard) return;
    document.querySelectorAll("#board textarea[id], #board input[type=text][name=note]").forEach(function (field) {
      var key = field.id || (field.form && field.form.action + "#" + field.name);
      if (key && drafts[key] && !field.value) {
        field.value = drafts[key];
        var details = field.closest("details");
        if (details) details.open = true;
      }
    });
    drafts = null;
    oldBoard = null;
  });

  // A poll refused (e.g. an expired token) stops polling and says so, once.
  document.addEventListener("htmx:responseError", function (event) {
    if (!isPoll(event)) return;
    var poll = event.detail.elt;
    var slot = document.getElementById("board-news");
    poll.remove();
    if (slot) {
      var bar = document.createElement("div");
      bar.className = "eqa-news";
      var link = document.createElement("a");
      link.href = window.location.pathname;
      link.textContent = gettext("This board stopped updating — reload to follow it");
      bar.appendChild(link);
      slot.replaceChildren(bar);
    }
  });
})();
