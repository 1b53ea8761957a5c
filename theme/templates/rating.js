{#- The rating script, written once per build as {THEME_STATIC_DIR}/js/rating.js by the
    ratings_widget plugin, with what it says in the site's language (PORTAL_LANG) built in: the
    messages are in the script once, not in every article page (850 bytes each). -#}
{%- set messages = {
  "thanks": _("Cảm ơn bạn đã đánh giá bài viết."),
  "changed": _("Đã cập nhật đánh giá của bạn."),
  "sending": _("Đang gửi đánh giá…"),
  "limited": _("Bạn đã gửi quá nhiều đánh giá. Vui lòng thử lại sau ít phút."),
  "limited-wait": _("Bạn đã gửi quá nhiều đánh giá. Vui lòng thử lại sau {minutes} phút."),
  "network": _("Không gửi được đánh giá do lỗi kết nối. Vui lòng kiểm tra mạng và thử lại."),
  "failed": _("Không gửi được đánh giá. Vui lòng thử lại sau."),
  "choose": _("Vui lòng chọn số sao trước khi gửi."),
  "rated": _("Bạn đã đánh giá bài viết này: {score} sao. Bạn có thể đổi đánh giá trong hôm nay."),
  "rated-before": _("Bạn đã từng đánh giá bài viết này: {score} sao."),
} -%}
/* "Đánh giá bài viết": progressive enhancement of the rating form.
 * Without this script the form posts and the service redirects back to the
 * article's thank-you anchor. With it: submit with fetch (JSON), update the
 * count and average in place, remember in this browser (localStorage) that
 * it rated, and say clearly when the service refuses (429) or the network
 * fails (the status line is aria-live). No inline script: CSP script-src 'self'.
 */
(function () {
  "use strict";
  var section = document.querySelector("section.rating[data-rating-slug]");
  if (!section || !window.fetch || !window.JSON) { return; }
  var form = section.querySelector("form.rating-form");
  var status = section.querySelector("[data-rating-status]");
  var slug = section.getAttribute("data-rating-slug");
  var key = "danh-gia:" + slug;
  var button = form.querySelector("button[type=submit]");

  var MESSAGES = {{ messages|tojson }};

  function msg(name, params) {
    var text = MESSAGES[name] || "";
    Object.keys(params || {}).forEach(function (k) { text = text.split("{" + k + "}").join(params[k]); });
    return text;
  }
  function say(text, kind) {
    status.textContent = text;
    status.className = "rating-status" + (kind ? " rating-status-" + kind : "");
  }
  function remembered() {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function today() {
    var d = new Date();
    return d.getFullYear() + "-" + (d.getMonth() + 1) + "-" + d.getDate();
  }
  function remember(score) {
    try {
      window.localStorage.setItem(key, JSON.stringify({ score: score, day: today() }));
    } catch (e) { /* private mode: nothing to remember */ }
  }
  function show(agg) {
    section.querySelectorAll("[data-rating-count]").forEach(function (el) { el.textContent = String(agg.count); });
    section.querySelectorAll("[data-rating-average]").forEach(function (el) {
      // the page's decimal mark: "4,3" in Vietnamese
      el.textContent = Number(agg.average).toFixed(1).replace(".", el.getAttribute("data-decimal-mark") || ".");
    });
    section.querySelectorAll("[data-rating-votes]").forEach(function (el) {
      el.setAttribute("data-rating-votes", String(agg.count)); // "Chưa có đánh giá" gives way to the numbers
    });
  }

  var mine = remembered();
  if (mine && mine.score) {
    var radio = form.querySelector('input[name="score"][value="' + Number(mine.score) + '"]');
    if (radio) { radio.checked = true; }
    section.classList.add("rating-done");
    say(msg(mine.day === today() ? "rated" : "rated-before", { score: Number(mine.score) }), "info");
  }

  form.addEventListener("submit", function (event) {
    var chosen = form.querySelector('input[name="score"]:checked');
    if (!chosen) { return; } /* the browser's own "required" message */
    event.preventDefault();
    var score = Number(chosen.value);
    button.disabled = true;
    say(msg("sending"), "info");
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ score: score })
    }).then(function (response) {
      if (response.ok) {
        return response.json().then(function (agg) {
          show(agg);
          remember(score);
          section.classList.add("rating-done");
          say(agg.replaced ? msg("changed") : msg("thanks"), "ok");
        });
      }
      if (response.status === 429) {
        var wait = parseInt(response.headers.get("Retry-After") || "", 10);
        say(wait > 0 && wait <= 7200 ? msg("limited-wait", { minutes: Math.ceil(wait / 60) }) : msg("limited"),
          "error");
        return null;
      }
      return response.json().then(function (body) {
        // the service's reason is "Vietnamese (English for operators)": readers get the Vietnamese part
        var reason = body && body.error ? String(body.error).replace(/\s*\([^()]*\)\s*$/, "") : "";
        say(msg("failed") + (reason ? " " + reason : ""), "error");
      }, function () { say(msg("failed"), "error"); });
    }, function () {
      say(msg("network"), "error");
    }).then(function () { button.disabled = false; });
  });
}());
