// Communities: after htmx swaps a page of replies in, bring its first reply into view
// (without stealing focus from what the person was doing).
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target && event.detail.target.id === "replies") {
    const heading = document.getElementById("replies-heading");
    if (heading) heading.scrollIntoView({ block: "start" });
  }
});
