/* "Has this been answered already?" while the reader writes to the column (/ask/).
 *
 * Progressive enhancement: without this script the preview step shows the same letters.
 * Plain JavaScript, no inline code (the site will get a strict Content-Security-Policy).
 * Results are built with textContent, never innerHTML: titles and excerpts stay text.
 */
(function () {
  "use strict";

  var MIN_LENGTH = 30; // the form's own minimum: shorter text says too little to match
  var MAX_SENT = 2000; // the ranker reads no further; keeps the URL short
  var DELAY_MS = 400; // wait for a pause in typing

  var form = document.querySelector("form.ask-form[data-similar-url]");
  var aside = document.getElementById("ask-similar");
  var region = document.getElementById("ask-similar-results");
  if (!form || !aside || !region || !window.fetch) {
    return;
  }
  var textarea = form.querySelector("textarea[name=question]");
  if (!textarea) {
    return;
  }
  var endpoint = form.getAttribute("data-similar-url");
  var timer = null;
  var controller = null;
  var lastSent = null;

  aside.hidden = false;

  function sameOriginUrl(url) {
    try {
      var parsed = new URL(url, window.location.href);
      return parsed.origin === window.location.origin ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function show(nodes) {
    region.replaceChildren.apply(region, nodes);
  }

  function message(text) {
    var p = document.createElement("p");
    p.className = "hint";
    p.textContent = text;
    return p;
  }

  function render(results) {
    if (!results.length) {
      show([message("No published letter is close to yours yet.")]);
      return;
    }
    var intro = document.createElement("p");
    intro.textContent =
      results.length === 1
        ? "This published letter may already answer your question:"
        : results.length + " published letters may already answer your question:";
    var list = document.createElement("ul");
    list.className = "similar-list";
    results.forEach(function (item) {
      var href = sameOriginUrl(item.url);
      if (!href) {
        return;
      }
      var li = document.createElement("li");
      li.className = "similar-item";
      var link = document.createElement("a");
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = item.title;
      var note = document.createElement("span");
      note.className = "visually-hidden";
      note.textContent = " (opens in a new tab)";
      link.appendChild(note);
      var excerpt = document.createElement("p");
      excerpt.className = "excerpt";
      excerpt.textContent = item.excerpt;
      li.appendChild(link);
      li.appendChild(excerpt);
      list.appendChild(li);
    });
    show([intro, list]);
  }

  function lookUp() {
    var text = textarea.value.trim().slice(0, MAX_SENT);
    if (text.length < MIN_LENGTH || text === lastSent) {
      return;
    }
    lastSent = text;
    if (controller) {
      controller.abort();
    }
    controller = window.AbortController ? new AbortController() : null;
    var url = endpoint + "?q=" + encodeURIComponent(text);
    fetch(url, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        render(Array.isArray(data.results) ? data.results : []);
      })
      .catch(function (error) {
        if (error && error.name === "AbortError") {
          return;
        }
        lastSent = null; // try again after the next pause
        show([message("Similar letters could not be loaded just now. The next step will show them.")]);
      });
  }

  textarea.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookUp, DELAY_MS);
  });
  // A form filled in again (Edit, or the browser restoring it) looks up at once.
  lookUp();
})();
