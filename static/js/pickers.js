// Pickers, as progressive enhancements over plain form fields (the fields work without them).
//
// Tag picker: a list of topic checkboxes, or a <select multiple>, marked data-picker="tags",
// gets a search box above it: typing narrows the topics shown, and with data-picker-url the
// server suggests topics by name (prefix, a later word, or a typo away) in a list under the
// box: ArrowUp/ArrowDown move, Enter picks, Escape closes. The chosen ones stay listed as
// removable chips. The native controls stay the form's fields and stay keyboard operable.
//
// Mentions: a <textarea data-mentions="URL"> suggests people as "@na" is typed: the URL answers
// {"people": [{"handle", "name"}]}. ArrowUp/ArrowDown move, Enter or Tab insert "@handle ",
// Escape closes. The list is a listbox tied to the textarea with aria-activedescendant.
(function () {
  "use strict";

  var counter = 0;
  function uid(prefix) {
    counter += 1;
    return prefix + "-" + counter;
  }

  // --- tag picker -------------------------------------------------------------------------

  function choices(container) {
    if (container.tagName === "SELECT") {
      return Array.prototype.map.call(container.options, function (o) {
        return { label: o.text, node: o, chosen: function () { return o.selected; },
                 unchoose: function () { o.selected = false; } };
      });
    }
    return Array.prototype.map.call(container.querySelectorAll('input[type="checkbox"]'), function (box) {
      var label = box.closest("label") || container.querySelector('label[for="' + box.id + '"]');
      var row = box.closest("div") !== container ? box.closest("div") : label || box;
      return { label: (label ? label.textContent : box.value).trim(), node: row,
               chosen: function () { return box.checked; },
               unchoose: function () { box.checked = false; box.dispatchEvent(new Event("change", { bubbles: true })); } };
    });
  }

  function enhanceTags(container, url) {
    if (container.dataset.pickerReady) return;
    container.dataset.pickerReady = "1";
    var items = choices(container);
    if (items.length < 6 && !url) return; // a short list is easier to scan than to search
    var name = container.getAttribute("aria-label") || "topics";
    var filter = document.createElement("input");
    filter.type = "search";
    filter.className = "picker-filter";
    filter.id = uid("picker-filter");
    filter.setAttribute("placeholder", "Type to find a topic");
    filter.setAttribute("aria-label", "Find " + name);
    filter.setAttribute("autocomplete", "off");
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    // A labelled group: aria-label is not allowed on a plain paragraph.
    var chips = document.createElement("div");
    chips.className = "tags picker-chips";
    chips.setAttribute("role", "group");
    chips.setAttribute("aria-label", "Chosen " + name);
    var list = document.createElement("ul");
    list.className = "picker-list";
    list.id = uid("topics");
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggested " + name);
    list.hidden = true;
    container.parentNode.insertBefore(chips, container);
    container.parentNode.insertBefore(filter, container);
    container.parentNode.insertBefore(list, container);
    container.parentNode.insertBefore(status, container);
    if (url) {
      filter.setAttribute("role", "combobox");
      filter.setAttribute("aria-controls", list.id);
      filter.setAttribute("aria-autocomplete", "list");
      filter.setAttribute("aria-expanded", "false");
    }
    var found = [], active = -1, timer = null, asked = "";

    function renderChips() {
      chips.textContent = "";
      items.forEach(function (item) {
        if (!item.chosen()) return;
        var chip = document.createElement("button");
        chip.type = "button";
        chip.className = "tag picker-chip";
        chip.textContent = item.label + " ×";
        chip.setAttribute("aria-label", "Remove " + item.label);
        chip.addEventListener("click", function () {
          item.unchoose();
          renderChips();
          filter.focus();
        });
        chips.appendChild(chip);
      });
    }

    function close() {
      list.hidden = true;
      list.textContent = "";
      found = [];
      active = -1;
      filter.removeAttribute("aria-activedescendant");
      if (url) filter.setAttribute("aria-expanded", "false");
    }

    function highlight(index) {
      var opts = list.querySelectorAll('[role="option"]');
      if (!opts.length) return;
      active = (index + opts.length) % opts.length;
      Array.prototype.forEach.call(opts, function (o, i) {
        o.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      filter.setAttribute("aria-activedescendant", opts[active].id);
    }

    // Choose a topic by its id: the native option or checkbox of that value, added to the
    // field when the page did not list it.
    function pick(topic) {
      if (container.tagName === "SELECT") {
        var option = container.querySelector('option[value="' + topic.id + '"]');
        if (!option) {
          option = new Option(topic.name, String(topic.id));
          container.appendChild(option);
          items = choices(container);
        }
        option.selected = true;
      } else {
        var box = container.querySelector('input[type="checkbox"][value="' + topic.id + '"]');
        if (box) box.checked = true;
      }
      filter.value = "";
      filter.dispatchEvent(new Event("input"));
      close();
      renderChips();
      status.textContent = topic.name + " chosen";
    }

    function renderFound() {
      list.textContent = "";
      found.forEach(function (topic, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = topic.name;
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          pick(topic);
        });
        list.appendChild(li);
      });
      list.hidden = found.length === 0;
      filter.setAttribute("aria-expanded", found.length ? "true" : "false");
      if (found.length) highlight(0);
    }

    function ask(words) {
      asked = words;
      fetch(url + "?q=" + encodeURIComponent(words), { credentials: "same-origin",
        headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { topics: [] }; })
        .then(function (data) {
          if (asked !== words || filter.value.trim() !== words) return;
          found = data.topics || [];
          renderFound();
        })
        .catch(close);
    }

    filter.addEventListener("input", function () {
      var words = filter.value.trim().toLowerCase();
      var shown = 0;
      items.forEach(function (item) {
        var match = !words || item.label.toLowerCase().indexOf(words) !== -1;
        item.node.hidden = !match;
        if (match) shown += 1;
      });
      status.textContent = shown + " topic" + (shown === 1 ? "" : "s") + " shown";
      if (!url) return;
      clearTimeout(timer);
      if (!words) { close(); return; }
      timer = setTimeout(function () { ask(filter.value.trim()); }, 200);
    });
    filter.addEventListener("keydown", function (event) {
      if (found.length && !list.hidden) {
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          event.preventDefault();
          highlight(event.key === "ArrowDown" ? active + 1 : active - 1);
          return;
        }
        if (event.key === "Escape") {
          event.preventDefault();
          close();
          return;
        }
        if (event.key === "Enter") {
          event.preventDefault();
          pick(found[active < 0 ? 0 : active]);
          return;
        }
      }
      // Enter in the filter box picks the first topic shown rather than submitting the form.
      if (event.key !== "Enter") return;
      event.preventDefault();
      var first = items.filter(function (i) { return !i.node.hidden; })[0];
      if (!first) return;
      if (first.node.tagName === "OPTION") first.node.selected = true;
      else first.node.querySelector('input[type="checkbox"]').checked = true;
      filter.value = "";
      filter.dispatchEvent(new Event("input"));
      renderChips();
    });
    filter.addEventListener("blur", function () { setTimeout(close, 150); });
    container.addEventListener("change", renderChips);
    renderChips();
  }

  // --- @mentions --------------------------------------------------------------------------

  var MENTION = /(^|[^\w@])@([\w.+-]{1,64})$/;

  function enhanceMentions(area) {
    if (area.dataset.mentionsReady) return;
    area.dataset.mentionsReady = "1";
    var url = area.dataset.mentions;
    var list = document.createElement("ul");
    list.className = "picker-list";
    list.id = uid("mentions");
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "People to mention");
    list.hidden = true;
    area.insertAdjacentElement("afterend", list);
    area.setAttribute("aria-controls", list.id);
    area.setAttribute("aria-autocomplete", "list");
    var active = -1, people = [], timer = null, asked = "";

    function close() {
      list.hidden = true;
      list.textContent = "";
      people = [];
      active = -1;
      area.removeAttribute("aria-activedescendant");
    }

    function typed() {
      var before = area.value.slice(0, area.selectionStart);
      var m = MENTION.exec(before);
      return m ? m[2] : "";
    }

    function choose(index) {
      var opts = list.querySelectorAll('[role="option"]');
      if (!opts.length) return;
      active = (index + opts.length) % opts.length;
      Array.prototype.forEach.call(opts, function (o, i) {
        o.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      area.setAttribute("aria-activedescendant", opts[active].id);
    }

    function insert(person) {
      var end = area.selectionStart;
      var before = area.value.slice(0, end).replace(/@[\w.+-]*$/, "@" + person.handle + " ");
      area.value = before + area.value.slice(end);
      area.selectionStart = area.selectionEnd = before.length;
      close();
      area.focus();
    }

    function render() {
      list.textContent = "";
      people.forEach(function (person, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = person.name + " (@" + person.handle + ")";
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          insert(person);
        });
        list.appendChild(li);
      });
      list.hidden = people.length === 0;
      if (people.length) choose(0);
    }

    function ask(prefix) {
      asked = prefix;
      fetch(url + "?q=" + encodeURIComponent(prefix), { credentials: "same-origin",
        headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { people: [] }; })
        .then(function (data) {
          if (asked !== prefix || typed() !== prefix) return;
          people = data.people || [];
          render();
        })
        .catch(close);
    }

    area.addEventListener("input", function () {
      var prefix = typed();
      clearTimeout(timer);
      if (!prefix) { close(); return; }
      timer = setTimeout(function () { ask(prefix); }, 200);
    });
    area.addEventListener("keydown", function (event) {
      if (list.hidden || !people.length) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        choose(event.key === "ArrowDown" ? active + 1 : active - 1);
      } else if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        insert(people[active < 0 ? 0 : active]);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    area.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function enhance(root) {
    root.querySelectorAll('[data-picker="tags"]').forEach(function (node) {
      // Checkbox widgets put the attribute on each box: enhance their common container once.
      var container = node.tagName === "INPUT" ? node.closest("div[id]") : node;
      if (container) enhanceTags(container, node.dataset.pickerUrl || "");
    });
    root.querySelectorAll("textarea[data-mentions]").forEach(enhanceMentions);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
})();
