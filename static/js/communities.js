// Communities: after htmx swaps a page of replies in, bring its first reply into view
// (without stealing focus from what the person was doing).
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target && event.detail.target.id === "replies") {
    const heading = document.getElementById("replies-heading");
    if (heading) heading.scrollIntoView({ block: "start" });
  }
});

// Flagging: the Flag link opens the flag form in a dialog, set to the post it sits under.
// Without JavaScript the link opens the same form on its own page.
document.addEventListener("click", (event) => {
  const opener = event.target.closest("[data-flag-open]");
  const dialog = document.getElementById("flag-dialog");
  if (opener && dialog && typeof dialog.showModal === "function") {
    event.preventDefault();
    dialog.querySelector("form").reset();
    dialog.querySelector("[data-flag-reply]").value = opener.dataset.flagOpen;
    dialog.showModal();
    return;
  }
  const closer = event.target.closest("[data-dialog-close]");
  if (closer) closer.closest("dialog").close();
});
