/* otklik survey widget: no dependencies, nothing loaded from anyone but the otklik server.
 *
 *   <script src="https://feedback.example.com/widget.js" defer
 *           data-otklik-token="TOKEN" data-otklik-mode="bottom-sheet"
 *           data-otklik-channel="app" data-otklik-lang="ru"></script>
 *
 * or from the page's own code: Otklik.show({token, mode, target, lang, channel, onDone, onClose}).
 * Modes: success-screen and section render inline into `target` (a selector or an element);
 * bottom-sheet docks at the bottom without a backdrop (the page stays usable); popup is modal.
 * Texts never become markup: everything is built with createElement and textContent.
 */
(function () {
  "use strict";
  if (window.Otklik && window.Otklik.version) {
    return;
  }
  var script = document.currentScript;
  var BASE = new URL("./", script && script.src ? script.src : window.location.href).href;
  var MODES = ["success-screen", "bottom-sheet", "popup", "section"];
  var ERROR_TEXT = { unknown: "unknown", forged: "forged", expired: "expired",
                     answered: "answered", too_many_requests: "busy" };
  var counter = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (attrs[name] !== null && attrs[name] !== undefined && attrs[name] !== false) {
        node.setAttribute(name, attrs[name] === true ? "" : String(attrs[name]));
      }
    });
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  // Resolves once the widget's stylesheet has loaded (or failed): a popup shown before its CSS
  // would sit unstyled in the page flow instead of over a modal backdrop.
  function loadCss() {
    var present = document.querySelector("link[data-otklik-css]");
    if (present) {
      return present.otklikReady || Promise.resolve();
    }
    var link = el("link", { rel: "stylesheet", href: BASE + "widget.css", "data-otklik-css": true });
    link.otklikReady = new Promise(function (resolve) {
      link.addEventListener("load", resolve);
      link.addEventListener("error", resolve);
    });
    (document.head || document.documentElement).appendChild(link);
    return link.otklikReady;
  }

  function call(method, token, lang, body) {
    var url = BASE + "s/" + encodeURIComponent(token) + (lang ? "?lang=" + encodeURIComponent(lang) : "");
    var init = { method: method, mode: "cors", credentials: "omit", headers: { Accept: "application/json" } };
    if (body) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return window.fetch(url, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data || {} };
      });
    });
  }

  function resolveTarget(target) {
    var node = typeof target === "string" ? document.querySelector(target) : target;
    if (!node) {
      throw new Error("otklik widget: inline modes need a target element");
    }
    return node;
  }

  function scaleBlock(survey, id) {
    var box = el("div", { class: "otk-scale", role: "radiogroup", "aria-labelledby": id });
    for (var point = survey.scale.low; point <= survey.scale.high; point += 1) {
      var label = el("label", { class: "otk-point" });
      label.appendChild(el("input", { type: "radio", name: "score", value: point }));
      label.appendChild(el("span", {}, String(point)));
      box.appendChild(label);
    }
    var ends = el("div", { class: "otk-ends" });
    ends.appendChild(el("span", {}, survey.low_label));
    ends.appendChild(el("span", {}, survey.high_label));
    return [box, ends];
  }

  function reasonsBlock(survey) {
    var box = el("fieldset", { class: "otk-reasons" });
    survey.reasons.forEach(function (reason) {
      var label = el("label", { class: "otk-reason" });
      label.appendChild(el("input", { type: "checkbox", name: "reasons", value: reason.code }));
      label.appendChild(el("span", {}, reason.label));
      box.appendChild(label);
    });
    box.appendChild(el("input", { type: "text", name: "other", class: "otk-other", maxlength: 500,
                                  placeholder: survey.ui.other_text, "aria-label": survey.ui.other_text }));
    return box;
  }

  function render(options, mode, survey) {
    counter += 1;
    var id = "otk-q-" + counter;
    var overlay = mode === "popup" || mode === "bottom-sheet";
    var card = el("div", {
      class: "otk otk-card otk-" + mode, dir: survey.dir, lang: survey.language,
      role: mode === "popup" ? "dialog" : "region", "aria-modal": mode === "popup" ? "true" : null,
      "aria-labelledby": id, "data-otklik-mode": mode
    });
    var form = el("form", { class: "otk-form", novalidate: true });
    var head = el("div", { class: "otk-head" });
    head.appendChild(el("p", { class: "otk-question", id: id }, survey.question));
    var backdrop = null;
    var shownAt = Date.now();
    var closed = false;

    function close(reason) {
      if (closed) {
        return;
      }
      closed = true;
      (backdrop || card).remove();
      if (options.onClose) {
        options.onClose(reason);
      }
    }

    if (overlay) {
      var shut = el("button", { type: "button", class: "otk-close", "aria-label": survey.ui.later,
                                title: survey.ui.later }, "×");
      shut.addEventListener("click", function () { close("dismissed"); });
      head.appendChild(shut);
    }
    form.appendChild(head);
    if (survey.scale) {
      scaleBlock(survey, id).forEach(function (node) { form.appendChild(node); });
    } else {
      form.appendChild(reasonsBlock(survey));
    }
    var commentId = id + "-comment";
    form.appendChild(el("label", { class: "otk-comment-label", for: commentId }, survey.comment));
    form.appendChild(el("textarea", { id: commentId, class: "otk-comment", name: "comment", rows: 3,
                                      maxlength: 2000, placeholder: survey.ui.optional }));
    var error = el("p", { class: "otk-error", role: "alert", hidden: true });
    form.appendChild(error);
    var send = el("button", { type: "submit", class: "otk-send" }, survey.ui.send);
    form.appendChild(send);
    card.appendChild(form);

    function fail(text) {
      error.textContent = text;
      error.hidden = false;
      send.disabled = false;
    }

    function finish(text, status) {
      form.replaceWith(el("p", { class: status === "recorded" ? "otk-thanks" : "otk-notice",
                                 role: "status" }, text));
      if (options.onDone) {
        options.onDone({ status: status });
      }
      if (overlay) {
        window.setTimeout(function () { close("answered"); }, 2500);
      }
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var checked = form.querySelector("input[name=score]:checked");
      var reasons = Array.prototype.map.call(
        form.querySelectorAll("input[name=reasons]:checked"), function (box) { return box.value; });
      if (survey.scale && !checked) {
        return fail(survey.ui.score_needed);
      }
      var typedOther = form.querySelector("input[name=other]");
      if (!survey.scale && typedOther && typedOther.value.trim() && reasons.indexOf("other") < 0) {
        reasons.push("other");  // a typed reason counts even when its box stayed unticked
      }
      if (!survey.scale && reasons.length === 0) {
        return fail(survey.ui.reason_needed);
      }
      send.disabled = true;
      error.hidden = true;
      var other = form.querySelector("input[name=other]");
      call("POST", options.token, survey.language, {
        score: checked ? Number(checked.value) : null,
        comment: form.elements.comment.value,
        reasons: reasons,
        other: other ? other.value : null,
        mode: mode,
        channel: options.channel || null,
        lang: survey.language,
        dwell_ms: Date.now() - shownAt
      }).then(function (reply) {
        if (reply.status === 201) {
          return finish(survey.ui.thanks, "recorded");
        }
        var code = reply.data.error ? reply.data.error.code : "";
        if (ERROR_TEXT[code] && code !== "too_many_requests") {
          return finish(survey.ui[ERROR_TEXT[code]], code);
        }
        if (reply.status === 422 && reply.data.error) {
          return fail(reply.data.error.message);
        }
        return fail(survey.ui[ERROR_TEXT[code]] || survey.ui.failed);
      }).catch(function () { fail(survey.ui.failed); });
    });

    if (mode === "popup") {
      backdrop = el("div", { class: "otk-backdrop" });
      backdrop.appendChild(card);
      backdrop.addEventListener("keydown", function (event) {
        if (event.key === "Escape") {
          close("dismissed");
        }
      });
      document.body.appendChild(backdrop);
      var first = card.querySelector("input");
      if (first) {
        first.focus();
      }
    } else if (mode === "bottom-sheet") {
      document.body.appendChild(card);
    } else {
      resolveTarget(options.target).appendChild(card);
    }
    return { element: card, close: close };
  }

  function show(options) {
    options = options || {};
    if (!options.token) {
      return Promise.reject(new Error("Otklik.show needs a token"));
    }
    if (options.mode && MODES.indexOf(options.mode) < 0) {
      return Promise.reject(new Error("otklik widget: unknown mode " + options.mode));
    }
    var css = loadCss();
    return Promise.all([call("GET", options.token, options.lang), css]).then(function (done) {
      var reply = done[0];
      if (reply.status !== 200) {
        var code = reply.data.error ? reply.data.error.code : "failed";
        if (options.onDone) {
          options.onDone({ status: code });
        }
        return null;
      }
      var mode = options.mode || reply.data.mechanic;
      if (MODES.indexOf(mode) < 0) {
        mode = "bottom-sheet";  // an invitation sent as a plain link, shown in the app
      }
      return render(options, mode, reply.data.survey);
    });
  }

  window.Otklik = { version: "1", show: show };

  if (script && script.dataset && script.dataset.otklikToken) {
    var data = script.dataset;
    var start = function () {
      show({ token: data.otklikToken, mode: data.otklikMode, target: data.otklikTarget,
             lang: data.otklikLang, channel: data.otklikChannel });
    };
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", start);
    } else {
      start();
    }
  }
})();
