// Casework's pages, a little livelier: canned replies, "who is typing", keyboard shortcuts and their help,
// and the queue's refresh held back while an officer is selecting rows. No inline script anywhere (the pages'
// Content-Security-Policy allows none); everything here works from data- attributes the templates set.
(function () {
  "use strict";

  function typingInto(field) {
    return field && (field.tagName === "TEXTAREA" || field.tagName === "INPUT" || field.tagName === "SELECT" ||
                     field.isContentEditable);
  }

  // Canned replies: choosing one inserts its text (in the beneficiary's language) where the cursor is.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-insert]") || !select.value) return;
    var target = document.getElementById(select.getAttribute("data-insert"));
    if (!target) return;
    var start = target.selectionStart || 0, end = target.selectionEnd || 0;
    target.value = target.value.slice(0, start) + select.value + target.value.slice(end);
    target.focus();
    target.selectionStart = target.selectionEnd = start + select.value.length;
    select.value = "";
    target.dispatchEvent(new Event("input", { bubbles: true }));
  });

  // Who is typing: the case page's presence beat says so at once, and again when the officer stops.
  var typing = false, idle = null;
  function setTyping(now) {
    var field = document.getElementById("typing");
    if (!field || typing === now) return;
    typing = now;
    field.value = now ? "true" : "false";
    document.body.dispatchEvent(new Event("typing-changed"));
  }
  document.addEventListener("input", function (event) {
    if (!event.target.matches || !event.target.matches("[data-typing]")) return;
    setTyping(true);
    clearTimeout(idle);
    idle = setTimeout(function () { setTyping(false); }, 12000);  // longer than a beat: every viewer sees it
  });
  window.addEventListener("pagehide", function () {
    var bar = document.querySelector("[data-leave]");
    var token = document.querySelector("input[name=csrftoken]");
    if (!bar || !token || !navigator.sendBeacon) return;
    var form = new FormData();
    form.append("csrftoken", token.value);
    form.append("leaving", "true");
    navigator.sendBeacon(bar.getAttribute("data-leave"), form);
  });

  // The queue refreshes itself, but not while rows are being selected or a row has the keyboard.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var rows = event.detail.elt;
    if (rows.id === "rows" && (rows.querySelector("input:checked") || rows.contains(document.activeElement))) {
      event.preventDefault();
    }
  });

  // Keyboard shortcuts (listed on the help overlay, `?`).
  var current = -1;
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#rows tr[data-case]")); }
  function select(index) {
    var all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (row, i) { row.classList.toggle("selected", i === current); });
    var link = all[current].querySelector("a");
    if (link) link.focus();
  }
  function focusField(id) {
    var field = document.getElementById(id);
    if (field) { field.scrollIntoView({ block: "center" }); field.focus(); return true; }
    return false;
  }
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-help]")) toggleHelp();
  });
  function toggleHelp() {
    var help = document.getElementById("help");
    if (!help) return;
    if (help.open) help.close(); else help.showModal();
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typingInto(event.target)) return;
    var key = event.key, done = true;
    if (key === "?") toggleHelp();
    else if (key === "j") select(current + 1);
    else if (key === "k") select(current - 1);
    else if (key === "x" && current >= 0) {
      var box = rows()[current].querySelector("input[type=checkbox]");
      if (box) box.checked = !box.checked;
    }
    else if (key === "/") done = focusField("q");
    else if (key === "n") {
      var next = document.querySelector("a[rel=next]");
      if (next) window.location.href = next.href; else done = false;
    }
    else if (key === "c") {
      var claim = document.getElementById("claim");
      if (claim) claim.click(); else done = false;
    }
    else if (key === "a") done = focusField("note");
    else if (key === "r") done = focusField("public_reply") || focusField("question");
    else done = false;
    if (done) event.preventDefault();
  });
})();
