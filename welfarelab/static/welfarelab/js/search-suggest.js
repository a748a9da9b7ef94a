/*
 * Keyboard and pointer behaviour of the territory search boxes (components/territory_search_box.html).
 * htmx fetches the suggestions; this file only moves focus through them and closes them, following the
 * "list of links" pattern: Down arrow from the field to the first suggestion, Up/Down between them,
 * Escape back to the field. No inline scripts: the page's CSP allows only files from 'self'.
 */
(function () {
  "use strict";

  function parts(box) {
    return {
      input: document.getElementById(box + "-q"),
      list: document.getElementById(box + "-suggestions"),
      status: document.getElementById(box + "-status"),
    };
  }

  function links(list) {
    return Array.prototype.slice.call(list.querySelectorAll("a"));
  }

  function close(box) {
    const p = parts(box);
    if (p.list) p.list.innerHTML = "";
    if (p.status) p.status.textContent = "";
  }

  document.addEventListener("keydown", function (event) {
    const target = event.target;
    if (!(target instanceof HTMLElement)) return;

    const box = target.dataset.suggest;
    if (box) {
      const p = parts(box);
      if (event.key === "ArrowDown" && p.list) {
        const first = links(p.list)[0];
        if (first) {
          event.preventDefault();
          first.focus();
        }
      } else if (event.key === "Escape" && p.list && p.list.innerHTML.trim() !== "") {
        event.preventDefault();
        close(box);
      }
      return;
    }

    const list = target.closest("[data-suggestions-for]");
    if (!list) return;
    const owner = list.dataset.suggestionsFor;
    const items = links(list);
    const index = items.indexOf(target);
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (index < items.length - 1) items[index + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (index > 0) items[index - 1].focus();
      else parts(owner).input.focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      close(owner);
      parts(owner).input.focus();
    }
  });

  // Close a box's suggestions when focus or a click leaves its form.
  function closeOutside(node) {
    document.querySelectorAll("[data-suggestions-for]").forEach(function (list) {
      const form = list.closest("form");
      if (form && !(node instanceof Node && form.contains(node))) close(list.dataset.suggestionsFor);
    });
  }
  document.addEventListener("focusin", function (event) {
    closeOutside(event.target);
  });
  document.addEventListener("click", function (event) {
    closeOutside(event.target);
  });

  // After htmx swaps a paginated section, move focus to its heading so keyboard and screen-reader
  // users land on the new content instead of at the top of the page.
  document.addEventListener("htmx:afterSwap", function (event) {
    const target = event.detail && event.detail.target;
    if (!target || !target.id) return;
    const section = document.getElementById(target.id);
    const heading = section && section.querySelector("h2[tabindex='-1']");
    if (heading) heading.focus();
  });
})();
