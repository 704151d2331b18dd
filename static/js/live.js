// Live events, chats and polls: a quiet poll answered from Redis (204 when nothing changed),
// changes applied in place. Nothing the reader is typing is replaced; lists never jump while
// the pointer or the focus is in them; no sounds, no animation.
(function () {
  "use strict";

  // Words come from the page's JavaScript catalogue (expertqa:jsi18n); without it, English.
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, name) { return values[name]; });
  };

  var root = null;
  var version = 0;
  var timer = null;
  var busy = false;
  var stopped = false;
  var interval = 1000;
  var runner = false;
  var unseen = 0;
  var pendingSort = false;
  // The page's language and the 24-hour clock the server writes everywhere ("H:i"); the
  // reader's own time zone (the browser's).
  var clock = new Intl.DateTimeFormat(document.documentElement.lang || undefined,
    { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

  function byId(id) { return document.getElementById(id); }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (e) {
      var input = document.querySelector("input[name=csrfmiddlewaretoken]");
      return input ? input.value : "";
    }
  }

  function localTimes(scope) {
    scope.querySelectorAll("time.live-time").forEach(function (t) {
      var d = new Date(t.getAttribute("datetime"));
      if (!isNaN(d.getTime())) t.textContent = clock.format(d);
    });
  }

  function fragment(html) {
    var t = document.createElement("template");
    t.innerHTML = (html || "").trim();
    var el = t.content.firstElementChild;
    if (el) localTimes(el);
    return el;
  }

  function pick(op, html, host) { return runner && op[host] ? op[host] : op[html]; }

  function dropEmpty(list) {
    if (!list) return;
    list.querySelectorAll(":scope > .empty-state").forEach(function (e) { e.remove(); });
  }

  // Keep what the reader typed in the old element when a new one replaces it.
  function carryDrafts(oldEl, newEl) {
    if (!oldEl || !newEl) return;
    oldEl.querySelectorAll("textarea[id], input[type=text][id]").forEach(function (field) {
      if (!field.value) return;
      var twin = newEl.querySelector("#" + CSS.escape(field.id));
      if (twin) {
        twin.value = field.value;
        var details = twin.closest("details");
        if (details) details.open = true;
      }
    });
  }

  function notice(text) {
    var slot = byId("live-notice");
    if (!slot) return;
    slot.textContent = text;
  }

  // --- the stream of messages ---------------------------------------------------------------

  function stream() { return byId("live-stream"); }

  function atBottom() {
    var s = stream();
    return !s || s.scrollHeight - s.scrollTop - s.clientHeight < 40;
  }

  function toBottom() {
    var s = stream();
    if (s) s.scrollTop = s.scrollHeight;
    unseen = 0;
    var bar = byId("live-new");
    if (bar) bar.hidden = true;
  }

  function showUnseen() {
    var bar = byId("live-new");
    if (!bar) return;
    bar.textContent = interpolate(
      ngettext("%(count)s new message below — show", "%(count)s new messages below — show", unseen),
      { count: unseen }, true);
    bar.hidden = false;
  }

  // --- sorting open questions by votes --------------------------------------------------------

  function sortQuestions() {
    var list = byId("live-questions");
    if (!list) return;
    if (list.matches(":hover") || list.contains(document.activeElement)) {
      pendingSort = true;
      return;
    }
    pendingSort = false;
    var items = Array.prototype.slice.call(list.querySelectorAll(":scope > li.live-q"));
    var sorted = items.slice().sort(function (a, b) {
      return (+b.dataset.votes - +a.dataset.votes) || (+a.dataset.created - +b.dataset.created);
    });
    var same = sorted.every(function (el, i) { return el === items[i]; });
    if (!same) sorted.forEach(function (el) { list.appendChild(el); });
  }

  // --- the ops ----------------------------------------------------------------------------------

  var handlers = {
    message: function (op) {
      if (byId("live-message-" + op.id)) return;
      var el = fragment(pick(op, "html", "host"));
      if (!el) return;
      var list = (op.prompt && byId("prompt-answers-" + op.prompt)) || byId("live-messages");
      if (!list) return;
      var stay = atBottom();
      dropEmpty(list);
      list.appendChild(el);
      if (stay) toBottom();
      else { unseen += 1; showUnseen(); }
    },
    remove: function (op) {
      var el = byId(op.target);
      if (el) el.remove();
    },
    replace: function (op) {
      var el = byId(op.target);
      var fresh = fragment(pick(op, "html", "host"));
      if (el && fresh) { carryDrafts(el, fresh); el.replaceWith(fresh); }
    },
    notice: function (op) { notice(op.text); },
    question: function (op) {
      var old = byId("live-question-" + op.id);
      var el = fragment(pick(op, "html", "host"));
      if (!el) return;
      var target = byId(op.answered ? "live-answered" : "live-questions");
      if (!target) return;
      if (old) {
        carryDrafts(old, el);
        var voted = old.querySelector(".live-voted");
        var button = el.querySelector(".live-vote button");
        if (voted && button) { button.classList.add("live-voted"); button.setAttribute("aria-pressed", "true"); }
      }
      dropEmpty(target);
      if (old && old.parentNode === target) old.replaceWith(el);
      else {
        if (old) old.remove();
        target.appendChild(el);
      }
      if (!op.answered) sortQuestions();
    },
    votes: function (op) {
      var el = byId("live-question-" + op.id);
      if (!el) return;
      el.dataset.votes = op.votes;
      el.querySelectorAll(".live-votes").forEach(function (n) { n.textContent = op.votes; });
      sortQuestions();
    },
    poll: function (op) {
      var card = byId("live-poll-" + op.id);
      var list = byId("live-polls");
      if (!card) {
        var fresh = fragment(pick(op, "card", "host_card"));
        if (list && fresh) { dropEmpty(list); list.querySelectorAll(":scope > .empty-state").forEach(function (e) { e.remove(); }); list.prepend(fresh); }
        return;
      }
      // A new state (or, for hosts, revealed or hidden results) changes the card's tools.
      if (card.dataset.state !== op.state || (runner && card.dataset.revealed !== op.revealed)) {
        var next = fragment(pick(op, "card", "host_card"));
        if (!next) return;
        var done = card.querySelector(".live-poll-done");
        var ballot = next.querySelector(".live-ballot");
        if (done && ballot) ballot.replaceWith(done.cloneNode(true));
        card.replaceWith(next);
        return;
      }
      var results = byId("poll-results-" + op.id);
      var shown = fragment(pick(op, "html", "host"));
      if (results && shown) results.replaceWith(shown);
    },
    prompt: function (op) {
      if (byId("live-prompt-" + op.id)) return;
      var list = byId("live-prompts");
      var el = fragment(op.html);
      if (!list || !el) return;
      list.querySelectorAll(":scope > .empty-state").forEach(function (e) { e.remove(); });
      list.appendChild(el);
      var choice = byId("live-prompt-choice");
      if (choice) {
        var option = document.createElement("option");
        option.value = op.id;
        option.textContent = "Q" + op.number;
        choice.appendChild(option);
        var body = byId("live-body");
        if (!body || !body.value) choice.value = String(op.id);
      }
      notice(interpolate(gettext("Q%(number)s is out."), { number: op.number }, true));
    }
  };

  function apply(ops) {
    (ops || []).forEach(function (op) {
      var handler = handlers[op.op];
      if (handler) handler(op);
    });
  }

  // A page too far behind takes its live parts from a fresh copy of itself, drafts kept.
  var PARTS = ["live-pinned", "live-prompts", "live-messages", "live-questions", "live-answered", "live-polls"];
  function resync() {
    return fetch(window.location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, "text/html");
        var fresh = doc.getElementById("live");
        PARTS.forEach(function (id) {
          var mine = byId(id);
          var theirs = doc.getElementById(id);
          if (mine && theirs) {
            var copy = document.importNode(theirs, true);
            localTimes(copy);
            carryDrafts(mine, copy);
            mine.replaceWith(copy);
          }
        });
        if (fresh) {
          version = parseInt(fresh.dataset.version, 10) || version;
          root.dataset.token = fresh.dataset.token || root.dataset.token;
        }
      });
  }

  function schedule(ms) {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(poll, ms);
  }

  function stop(text) {
    stopped = true;
    notice(text);
  }

  function poll() {
    if (document.hidden || busy) { schedule(interval); return; }
    busy = true;
    var url = root.dataset.changes + "?t=" + encodeURIComponent(root.dataset.token) + "&v=" + version;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.status === 204) return null;
        if (r.status === 503) return { wait: 5000 };
        if (!r.ok) { stop(gettext("This page stopped updating — reload it to follow the event.")); return null; }
        return r.json();
      })
      .then(function (data) {
        // A page far behind, or holding an expired token: fetching the page again brings
        // its parts and a new token (and checks again that the reader may see the event).
        if (data && (data.reset || data.renew)) {
          return resync().catch(function () {
            stop(gettext("This page stopped updating — reload it to follow the event."));
          });
        }
        if (data && data.ops) { apply(data.ops); version = data.v; }
        return data;
      })
      .then(function (data) {
        busy = false;
        schedule(data && data.wait ? data.wait : interval);
      })
      .catch(function () { busy = false; schedule(5000); });
  }

  function pollSoon() { if (!busy) schedule(50); }

  // --- actions --------------------------------------------------------------------------------

  function showError(form, text) {
    var slot = form.querySelector(".live-error");
    if (!text) { if (slot) slot.remove(); return; }
    if (!slot) {
      slot = document.createElement("p");
      slot.className = "live-error";
      slot.setAttribute("role", "alert");
      form.appendChild(slot);
    }
    slot.textContent = text;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!root || !form.classList || !form.classList.contains("live-form")) return;
    event.preventDefault();
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value);
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Live": "1", "X-CSRFToken": csrfToken(), Accept: "application/json" }
    })
      .then(function (r) {
        if (r.status === 403) return { error: gettext("Only the hosts and moderators can do that.") };
        return r.json();
      })
      .then(function (result) {
        if (button) button.disabled = false;
        if (result.error) { showError(form, result.error); return; }
        showError(form, "");
        if ("voted" in result) {
          var b = form.querySelector("button");
          b.classList.toggle("live-voted", result.voted);
          b.setAttribute("aria-pressed", result.voted ? "true" : "false");
        }
        if (form.classList.contains("live-ballot")) {
          var done = document.createElement("p");
          done.className = "live-poll-done";
          done.textContent = form.dataset.done;
          form.replaceWith(done);
        }
        if (form.dataset.reset) {
          form.reset();
          if (form.id === "live-say") clearReply();
        }
        if (result.poll) resync();
        if (result.thread) { window.location.href = result.thread; return; }
        pollSoon();
      })
      .catch(function () {
        if (button) button.disabled = false;
        showError(form, gettext("That did not reach the server; check your connection and try again."));
      });
  });

  // Enter sends a message; Shift+Enter starts a new line.
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (field.id !== "live-body" || event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    if (field.value.trim()) field.form.requestSubmit();
  });

  function clearReply() {
    var parent = byId("live-parent");
    var label = byId("live-replying");
    if (parent) parent.value = "";
    if (label) label.hidden = true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".live-reply");
    if (link && byId("live-parent")) {
      event.preventDefault();
      byId("live-parent").value = link.dataset.reply;
      var label = byId("live-replying");
      label.querySelector("span").textContent = interpolate(
        gettext("Replying to %(name)s"), { name: link.dataset.name }, true);
      label.hidden = false;
      byId("live-body").focus();
      return;
    }
    if (event.target.id === "live-reply-cancel") { clearReply(); return; }
    if (event.target.id === "live-new") toBottom();
  });

  function start(candidate) {
    var el = candidate && candidate.id === "live" ? candidate : byId("live");
    if (!el || el === root) return;
    root = el;
    version = parseInt(root.dataset.version, 10) || 0;
    interval = parseInt(root.dataset.interval, 10) || 1000;
    runner = root.dataset.runner === "1";
    localTimes(root);
    var s = stream();
    if (s) {
      s.scrollTop = s.scrollHeight;
      s.addEventListener("scroll", function () { if (atBottom()) toBottom(); });
    }
    var list = byId("live-questions");
    if (list) {
      list.addEventListener("mouseleave", function () { if (pendingSort) sortQuestions(); });
      list.addEventListener("focusout", function () { setTimeout(function () { if (pendingSort) sortQuestions(); }, 0); });
    }
    schedule(interval);
  }

  document.addEventListener("visibilitychange", function () { if (!document.hidden && root) pollSoon(); });
  document.addEventListener("DOMContentLoaded", function () { start(null); });
  // The polls of an expert session arrive by htmx after the page loaded.
  document.addEventListener("htmx:load", function (event) { start(event.detail.elt); });
})();
