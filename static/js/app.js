// Behaviour the pages need beyond htmx, kept out of the HTML so the Content-Security-Policy can forbid inline script.

// A field marked data-select-on-focus selects its whole text when focused (the calendar link, to copy it).
document.addEventListener("focusin", (event) => {
  if (event.target.matches("[data-select-on-focus]")) {
    event.target.select();
  }
});

// A select marked data-submit-on-change submits its form when changed (the worklist's rows per page).
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-submit-on-change]") && event.target.form) {
    event.target.form.requestSubmit();
  }
});

/* Small behaviours of the pages; each works without it too (the server checks everything).
   - select[data-follows="<id>"]: show only the options whose data-streams name the value of select #<id>.
   - form[data-confirm]: ask before an act that cannot be undone.
   - .table-scroll that scrolls sideways: reachable by keyboard (tabindex), so its hidden columns can be scrolled to.
   - [data-shown-by-script]: hidden in the HTML, shown here (controls that need this script).
   - input[data-tick-all="<name>"]: ticks or clears every checkbox named <name>.
   - input[type="date"] holding a day the calendar does not have: its form is not sent (the message is the body's
     data-bad-date). */
(function () {
  "use strict";

  function follow(select) {
    var leader = document.getElementById(select.dataset.follows);
    if (!leader) return;
    function update() {
      var firstShown = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var streams = option.dataset.streams;
        var shown = streams === undefined || streams.split(" ").indexOf(leader.value) !== -1;
        option.hidden = !shown;
        option.disabled = !shown;
        if (shown && firstShown === null) firstShown = option;
      });
      if (select.selectedOptions.length && select.selectedOptions[0].disabled && firstShown) {
        select.value = firstShown.value;
      }
    }
    leader.addEventListener("change", update);
    update();
  }

  function scrollable(box) {
    if (box.scrollWidth > box.clientWidth && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      var caption = box.querySelector("caption");
      var heading = box.closest("section") && box.closest("section").querySelector("h2");
      box.setAttribute("aria-label", (caption || heading || document.querySelector("h1")).textContent.trim());
    }
  }

  function init(root) {
    root.querySelectorAll("select[data-follows]").forEach(follow);
    root.querySelectorAll(".table-scroll").forEach(scrollable);
    root.querySelectorAll("[data-shown-by-script]").forEach(function (element) { element.hidden = false; });
  }

  document.addEventListener("change", function (event) {
    var all = event.target;
    if (!all.matches("input[data-tick-all]")) return;
    document.querySelectorAll('input[type="checkbox"][name="' + all.dataset.tickAll + '"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });

  // A date picker holding a day the calendar does not have (02/30) would send nothing, and a step would then be
  // dated today: stop the form and say so at the field (the forms are novalidate, so the browser does not).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.querySelectorAll) return;
    var bad = Array.prototype.filter.call(form.querySelectorAll('input[type="date"]'), function (input) {
      return input.validity.badInput;
    });
    if (!bad.length) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    bad.forEach(function (input) {
      input.setAttribute("aria-invalid", "true");
      input.setCustomValidity(document.body.dataset.badDate || "");
      input.addEventListener("input", function () { input.setCustomValidity(""); }, { once: true });
    });
    bad[0].reportValidity();
    bad[0].focus();
  }, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
})();
