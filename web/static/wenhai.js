// wenhai: a little progressive enhancement. Every page works without it.
// Loaded as a static file (the Content-Security-Policy forbids inline scripts).
"use strict";

(function () {
  function typing(event) {
    var t = event.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  function plainKey(event) {
    return !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event);
  }

  // "/" focuses the search box.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || !plainKey(event)) return;
    var box = document.querySelector("input[name=q]");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  // j / k move through the results, Enter opens the selected one.
  function setupResults() {
    var hits = Array.prototype.slice.call(document.querySelectorAll("ol.results li.hit"));
    if (!hits.length) return;
    var current = -1;
    function select(i) {
      if (current >= 0) hits[current].classList.remove("current");
      current = Math.max(0, Math.min(hits.length - 1, i));
      hits[current].classList.add("current");
      hits[current].scrollIntoView({ block: "nearest" });
      hits[current].querySelector("h2 a").focus({ preventScroll: true });
    }
    document.addEventListener("keydown", function (event) {
      if (!plainKey(event)) return;
      if (event.key === "j") select(current + 1);
      else if (event.key === "k") select(current < 0 ? 0 : current - 1);
      else if (event.key === "Enter" && current >= 0 && document.activeElement === document.body) {
        window.location.href = hits[current].querySelector("h2 a").href;
      } else return;
      event.preventDefault();
    });
  }

  // Next / previous highlighted match in the reader: buttons and n / N.
  function setupMatches() {
    var nav = document.querySelector("nav.matches");
    var marks = Array.prototype.slice.call(document.querySelectorAll(".reader .body mark"));
    if (!nav || !marks.length) return;
    var pos = nav.querySelector(".match-pos");
    var current = -1;
    function go(step) {
      if (current >= 0) marks[current].classList.remove("current");
      current = (current + step + marks.length) % marks.length;
      var m = marks[current];
      m.classList.add("current");
      m.scrollIntoView({ block: "center" });
      pos.textContent = (current + 1) + " / " + marks.length;
    }
    pos.textContent = marks.length + " 处匹配";
    nav.hidden = false;
    nav.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-step]");
      if (button) go(parseInt(button.getAttribute("data-step"), 10));
    });
    document.addEventListener("keydown", function (event) {
      if (!plainKey(event)) return;
      if (event.key === "n") go(1);
      else if (event.key === "N") go(-1);
      else return;
      event.preventDefault();
    });
  }

  // Title suggestions under the search box, fetched as the user types (debounced).
  function setupSuggest(box) {
    var list = document.createElement("ul");
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    box.parentNode.appendChild(list);
    box.setAttribute("aria-autocomplete", "list");
    var timer = null, asked = "", active = -1;

    function items() { return list.querySelectorAll("a"); }
    function close() { list.hidden = true; active = -1; }
    function show(suggestions) {
      list.textContent = "";
      suggestions.forEach(function (s) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = "/articles/" + encodeURIComponent(s.id);
        a.textContent = s.title;  // text, never HTML
        a.setAttribute("role", "option");
        li.appendChild(a);
        list.appendChild(li);
      });
      active = -1;
      list.hidden = suggestions.length === 0;
    }
    function fetchSuggestions() {
      var q = box.value.trim();
      if (!q) { close(); return; }
      asked = q;
      fetch(box.getAttribute("data-suggest") + "?q=" + encodeURIComponent(q))
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) { if (asked === box.value.trim()) show(data.suggestions || []); })
        .catch(close);
    }
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 200);
    });
    box.addEventListener("keydown", function (event) {
      var links = items();
      if (list.hidden || !links.length) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (active >= 0) links[active].classList.remove("active");
        // -1 is the search box itself; the arrows cycle through it and the titles.
        if (event.key === "ArrowDown") active = active + 1 >= links.length ? -1 : active + 1;
        else active = active < 0 ? links.length - 1 : active - 1;
        if (active >= 0) links[active].classList.add("active");
        event.preventDefault();
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.href = links[active].href;
      } else if (event.key === "Escape") {
        close();
      }
    });
    box.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupResults();
    setupMatches();
    Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), setupSuggest);
  });
})();
