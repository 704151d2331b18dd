// socialearn: small progressive enhancements. No inline scripts (CSP), no sounds, no focus stealing.
document.addEventListener("htmx:configRequest", () => {});

// Toasts: a close button, and confirmations leave by themselves after a while unless the
// pointer or the focus is on them. Errors stay until closed.
document.querySelectorAll("[data-toast]").forEach((toast) => {
  const close = toast.querySelector("[data-toast-close]");
  close.hidden = false;
  close.addEventListener("click", () => toast.remove());
  if (toast.classList.contains("toast-error")) return;
  let timer;
  const arm = () => { timer = setTimeout(() => toast.remove(), 8000); };
  toast.addEventListener("mouseenter", () => clearTimeout(timer));
  toast.addEventListener("focusin", () => clearTimeout(timer));
  toast.addEventListener("mouseleave", arm);
  arm();
});
