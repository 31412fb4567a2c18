// Behaviour the pages need beyond htmx, kept out of the HTML so the Content-Security-Policy can forbid inline script.

// A field marked data-select-on-focus selects its whole text when focused (the calendar link, to copy it).
document.addEventListener("focusin", (event) => {
  if (event.target.matches("[data-select-on-focus]")) {
    event.target.select();
  }
});
