// socialearn: small progressive enhancements. No inline scripts (CSP), no sounds, no focus stealing.
document.addEventListener("htmx:configRequest", () => {});
