// Search page. The index holds every word folded to ASCII and, for a word written with diacritics, the
// word as written too (portal/search.py). With Pagefind's exactDiacritics on, a query is run as typed and
// folded ("Đồng" and "dong"), and what matched as typed comes first: "Đồng" lists a page saying "Đồng"
// before one saying only "động", though both fold to "dong"; "dong" still finds both.
// A warning shows its severity and status in words, from trang-thai.json beside the index (never searched).
// Results are drawn in one step into a region of reserved height (site.css): nothing on screen moves. The first
// ten are drawn, the status line says how many were found, and a button draws ten more. The address keeps
// how many tens are drawn (?q=…&trang=2): a person back from a result, or given the link, sees the same list.
(function () {
  "use strict";
  var form = document.querySelector("form.search-page-form");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var messages = document.getElementById("search-messages").dataset;
  var more = document.getElementById("search-more"); // "Xem thêm n kết quả": the next results, drawn below
  // Results are drawn ten at a time: each needs its own small file (its fragment) before it can be drawn,
  // and on a slow link the first screen comes sooner with ten of them than with thirty.
  var PAGE = 10;
  var MOST_PAGES = 10; // an address asks for at most a hundred results drawn at once (each a file to fetch)
  var pending = []; // the newest search's results not drawn yet
  var pagefind = null;
  var statuses = {}; // url -> {severity, severity_label, status, status_label} (portal/search.py, STATUS_FILE)
  var latest = 0; // the newest search: a slower, older one never overwrites it

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D");
  }

  // A file of the index, by its path relative to pagefind.js.
  function beside(path) {
    return new URL(path, new URL(form.dataset.pagefind, window.location.href)).href;
  }

  function load() {
    if (!pagefind) {
      pagefind = import(form.dataset.pagefind).then(function (pf) {
        // Pagefind searches every metadata field. Those a result shows (title, lead, kind, identifier) hold
        // the words as written, which a folded query does not match: they weigh nothing, and Pagefind's title
        // boost goes to title_words, the title folded and as written (portal/search.py, TITLE_WORDS).
        var ranking = { metaWeights: { title: 0, lead: 0, kind: 0, identifier: 0, title_words: 5 } };
        var options = { exactDiacritics: true, ranking: ranking };
        var words = fetch(beside("trang-thai.json"))
          .then(function (r) { return r.ok ? r.json() : {}; })
          .then(function (found) { statuses = found; })
          .catch(function () { statuses = {}; });
        // A large index is made in parts (portal/search.py, index_records), listed in phan.json: each is merged
        // with the same options, and a search returns the results of every part by score.
        var parts = fetch(beside("phan.json"))
          .then(function (r) { return r.ok ? r.json() : {}; })
          .then(function (found) { return Array.isArray(found.phan) ? found.phan : []; })
          .catch(function () { return []; });
        return Promise.resolve(pf.options(options))
          .then(function () { return Promise.all([pf.init(), parts]); })
          .then(function (done) {
            // by its path on this site: Pagefind gives the results of an index named by a full URL as full URLs
            return Promise.all(done[1].map(function (part) {
              return pf.mergeIndex(new URL(beside(part)).pathname, options);
            }));
          })
          .then(function () { return words; })
          .then(function () { return pf; });
      }).catch(function (error) { pagefind = null; throw error; });
    }
    return pagefind;
  }

  // The results of the query as typed, then those of the folded query not already listed.
  function find(pf, query) {
    var folded = fold(query);
    var queries = folded === query ? [query] : [query, folded];
    return Promise.all(queries.map(function (q) { return pf.search(q); })).then(function (searches) {
      var seen = {};
      var merged = [];
      searches.forEach(function (search) {
        search.results.forEach(function (r) {
          if (!seen[r.id]) { seen[r.id] = true; merged.push(r); }
        });
      });
      return merged;
    });
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text) el.textContent = text;
    return el;
  }

  function first(data, name) {
    var info = statuses[data.url] || statuses[new URL(data.url, window.location.href).pathname];
    return info ? info[name] : undefined;
  }

  // "Cảnh báo · Mức độ: Cao · Đang hiệu lực · CB-2026-014", each a separate item, as in the listings.
  function metaLine(data) {
    var ul = element("ul", "card-meta");
    function add(child, className) {
      var li = element("li", className);
      li.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      ul.appendChild(li);
    }
    var severity = first(data, "severity");
    var state = first(data, "status");
    if (data.meta.kind) add(data.meta.kind, "kind-label");
    if (severity) {
      add(element("span", "severity sev-" + severity,
        messages.severity + ": " + first(data, "severity_label")));
    }
    if (state) add(element("span", "status-badge status-" + state, first(data, "status_label")));
    if (data.meta.identifier) add(data.meta.identifier, "identifier");
    return ul.childNodes.length ? ul : null;
  }

  function card(data) {
    var state = first(data, "status");
    var li = element("li", "card" + (state ? " card-" + state : ""));
    var a = element("a", "", data.meta.title);
    a.href = data.url;
    var h = element("h2", "card-title");
    h.appendChild(a);
    li.appendChild(h);
    var meta = metaLine(data);
    if (meta) li.appendChild(meta);
    if (data.meta.lead) li.appendChild(element("p", "card-lead", data.meta.lead));
    return li;
  }

  // The button says how many more it draws; hidden when every result is drawn.
  function offerMore() {
    more.hidden = !pending.length;
    more.textContent = messages.more.replace("{n}", Math.min(PAGE, pending.length));
  }

  // `found`: every result of the search (how many the status line says); `page`: the data of the first ones.
  function show(found, page) {
    var cards = document.createDocumentFragment();
    page.forEach(function (data) { cards.appendChild(card(data)); });
    list.textContent = "";
    list.appendChild(cards);
    pending = found.slice(page.length);
    status.textContent = found.length ? messages.some.replace("{n}", found.length) : messages.none;
    offerMore();
  }

  // How many tens the address asks for: a whole number from 1 to MOST_PAGES, else 1.
  function pagesAsked() {
    var asked = new URL(window.location.href).searchParams.get("trang") || "";
    return /^[0-9]{1,3}$/.test(asked) ? Math.min(Math.max(parseInt(asked, 10), 1), MOST_PAGES) : 1;
  }

  // The address says how many tens are drawn (none for the first ten), without a new history entry.
  function remember() {
    var url = new URL(window.location.href);
    var pages = Math.ceil(list.children.length / PAGE);
    if (pages > 1) url.searchParams.set("trang", String(pages)); else url.searchParams.delete("trang");
    if (url.href !== window.location.href) window.history.replaceState(null, "", url);
  }

  function dataOf(results) {
    return Promise.all(results.map(function (r) { return r.data(); }));
  }

  // `pages`: how many tens to draw at once (1, unless the address asked for more).
  function run(query, pages) {
    var q = query.trim().normalize("NFC");
    var id = ++latest;
    pending = [];
    more.hidden = true;
    if (!q) { list.textContent = ""; status.textContent = ""; return; }
    status.textContent = messages.searching;
    load().then(function (pf) { return find(pf, q); })
      .then(function (found) {
        return dataOf(found.slice(0, PAGE * (pages || 1))).then(function (page) {
          if (id === latest) { show(found, page); remember(); }
        });
      })
      .catch(function () { if (id === latest) status.textContent = messages.error; });
  }

  // The next results below the others; the focus moves to the first of them (a keyboard, a screen reader).
  more.addEventListener("click", function () {
    var id = latest;
    var next = pending.slice(0, PAGE);
    if (!next.length || more.disabled) return;
    more.disabled = true;
    dataOf(next).then(function (page) {
      if (id !== latest) return;
      var cards = document.createDocumentFragment();
      page.forEach(function (data) { cards.appendChild(card(data)); });
      var first = cards.firstChild;
      list.appendChild(cards);
      pending = pending.slice(next.length);
      offerMore();
      remember();
      if (first) first.querySelector("a").focus();
    }).catch(function () {
      if (id === latest) status.textContent = messages.error;
    }).then(function () { more.disabled = false; });
  });

  // Pagefind (its script, WebAssembly and metadata: about 210 KB at 10,000 articles) loads when the box
  // gets the focus, and the chunks of the words being typed while the person types: on a slow link, most
  // of what a search needs is already here when it is sent.
  var typing = 0;
  input.addEventListener("focus", function () { load().catch(function () {}); });
  input.addEventListener("input", function () {
    clearTimeout(typing);
    typing = setTimeout(function () {
      var q = input.value.trim().normalize("NFC");
      if (!q) return;
      var folded = fold(q);
      load().then(function (pf) {
        return Promise.all((folded === q ? [q] : [q, folded]).map(function (t) { return pf.preload(t); }));
      }).catch(function () {});
    }, 300);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    url.searchParams.delete("trang");
    window.history.replaceState(null, "", url);
    run(input.value, 1);
  });
  var initial = new URL(window.location.href).searchParams.get("q");
  if (initial) { input.value = initial; run(initial, pagesAsked()); }
})();
