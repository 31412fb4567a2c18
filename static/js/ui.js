/* Small behaviours of the pages; each works without it too (the server checks everything).
   - select[data-follows="<id>"]: show only the options whose data-streams name the value of select #<id>.
   - form[data-confirm]: ask before an act that cannot be undone. */
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

  function init(root) {
    root.querySelectorAll("select[data-follows]").forEach(follow);
  }

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
