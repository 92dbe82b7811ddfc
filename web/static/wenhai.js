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
    pos.textContent = (pos.getAttribute("data-template") || "{n}").replace("{n}", marks.length);
    nav.hidden = false;
    // A concordance line links to its occurrence: #match-3 is the third highlight.
    var wanted = /^#match-(\d+)$/.exec(window.location.hash);
    if (wanted && +wanted[1] >= 1 && +wanted[1] <= marks.length) go(+wanted[1]);
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

  // Suggestions under the search box as the user types (debounced), grouped by kind:
  // authors, sources, tags, words, titles. A name or word searches what it stands for,
  // a title opens its article; nothing is chosen unless the user picks it.
  // The words are the page's, in the reader's language (data-words on the search box).
  function setupSuggest(box) {
    var WORDS = JSON.parse(box.getAttribute("data-words") || "{}");
    var KINDS = WORDS.kinds || {};
    var list = document.createElement("ul");
    list.className = "suggestions";
    list.id = "suggestions-" + Math.random().toString(36).slice(2);
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", WORDS.label || "");
    list.hidden = true;
    box.parentNode.appendChild(list);
    box.setAttribute("role", "combobox");  // aria-expanded is only allowed on a combobox
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", list.id);
    box.setAttribute("aria-expanded", "false");
    var searchPage = (box.form && box.form.getAttribute("action")) || "/search";
    var timer = null, asked = "", active = -1, pending = null;

    function items() { return list.querySelectorAll("a[role=option]"); }
    function close() {
      list.hidden = true;
      active = -1;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
    }
    function link(s) {
      if (s.kind === "title" && s.id != null) return "/articles/" + encodeURIComponent(s.id);
      return searchPage + "?q=" + encodeURIComponent(s.query);
    }
    function show(suggestions) {
      list.textContent = "";
      var group = null;
      suggestions.forEach(function (s, i) {
        if (s.kind !== group) {
          group = s.kind;
          var head = document.createElement("li");
          head.className = "group";
          head.setAttribute("role", "presentation");
          head.textContent = KINDS[s.kind] || s.kind;
          list.appendChild(head);
        }
        var li = document.createElement("li");
        li.setAttribute("role", "presentation");
        var a = document.createElement("a");
        a.href = link(s);
        a.id = list.id + "-" + i;
        a.setAttribute("role", "option");
        a.setAttribute("aria-selected", "false");
        a.setAttribute("data-kind", s.kind);
        var text = document.createElement("span");
        text.className = "text";
        text.textContent = s.text;  // text, never HTML
        a.appendChild(text);
        if (s.kind !== "title" && s.count) {
          var count = document.createElement("span");
          count.className = "count";
          count.textContent = (WORDS.count || "{n}").replace("{n}", s.count);
          a.appendChild(count);
        }
        li.appendChild(a);
        list.appendChild(li);
      });
      active = -1;
      list.hidden = suggestions.length === 0;
      box.setAttribute("aria-expanded", list.hidden ? "false" : "true");
    }
    function fetchSuggestions() {
      var q = box.value.trim();
      if (!q) { close(); return; }
      asked = q;
      if (pending && pending.abort) pending.abort();
      pending = window.AbortController ? new AbortController() : null;
      fetch(box.getAttribute("data-suggest") + "?q=" + encodeURIComponent(q),
            pending ? { signal: pending.signal } : {})
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) { if (asked === box.value.trim()) show(data.suggestions || []); })
        .catch(function (e) { if (e.name !== "AbortError") close(); });  // aborted: a newer one asks
    }
    function select(i) {
      var links = items();
      if (active >= 0 && links[active]) {
        links[active].classList.remove("active");
        links[active].setAttribute("aria-selected", "false");
      }
      active = i;
      if (active >= 0) {
        links[active].classList.add("active");
        links[active].setAttribute("aria-selected", "true");
        links[active].scrollIntoView({ block: "nearest" });
        box.setAttribute("aria-activedescendant", links[active].id);
      } else {
        box.removeAttribute("aria-activedescendant");
      }
    }
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 80);
    });
    box.addEventListener("keydown", function (event) {
      if (event.isComposing) return;  // the input method's keys, not ours
      var links = items();
      if (list.hidden || !links.length) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        // -1 is the search box itself; the arrows cycle through it and the suggestions.
        if (event.key === "ArrowDown") select(active + 1 >= links.length ? -1 : active + 1);
        else select(active < 0 ? links.length - 1 : active - 1);
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
