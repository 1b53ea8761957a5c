// Search page: queries the Pagefind index with the words folded to ASCII, the
// same folding the index was built with ("Đồng" and "dong" both find "Đồng").
(function () {
  "use strict";
  var form = document.querySelector("form.search-page-form");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var messages = document.getElementById("search-messages").dataset;
  var pagefind = null;

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D");
  }

  function load() {
    if (!pagefind) {
      pagefind = import(form.dataset.pagefind).then(function (pf) {
        return pf.init ? Promise.resolve(pf.init()).then(function () { return pf; }) : pf;
      });
    }
    return pagefind;
  }

  function show(results) {
    list.textContent = "";
    results.forEach(function (data) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = data.url;
      a.textContent = data.meta.title;
      var h = document.createElement("h2");
      h.appendChild(a);
      li.appendChild(h);
      if (data.meta.kind) {
        var kind = document.createElement("p");
        kind.className = "card-meta";
        kind.textContent = data.meta.kind;
        li.appendChild(kind);
      }
      if (data.meta.lead) {
        var lead = document.createElement("p");
        lead.textContent = data.meta.lead;
        li.appendChild(lead);
      }
      list.appendChild(li);
    });
    status.textContent = results.length ? messages.some.replace("{n}", results.length) : messages.none;
  }

  function run(query) {
    var q = fold(query.trim());
    if (!q) { list.textContent = ""; status.textContent = ""; return; }
    status.textContent = messages.searching;
    load().then(function (pf) { return pf.search(q); })
      .then(function (search) { return Promise.all(search.results.slice(0, 30).map(function (r) { return r.data(); })); })
      .then(show)
      .catch(function () { status.textContent = messages.error; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    window.history.replaceState(null, "", url);
    run(input.value);
  });
  var initial = new URL(window.location.href).searchParams.get("q");
  if (initial) { input.value = initial; run(initial); }
})();
