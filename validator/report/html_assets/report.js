/* newslint HTML report: filter, sort and page the findings table.
 * The findings come from the JSON blob in #findings-data; only one page of rows is in the
 * DOM at a time, and every string from the data is inserted with textContent (never as
 * markup). The URL fragment holds the filters: #q=body&severity=error&rule=a/b&sort=-rule&page=2
 */
(function () {
  "use strict";
  var started = Date.now();
  var blob = document.getElementById("findings-data");
  if (!blob) { return; }
  var data = JSON.parse(blob.textContent);
  var SEV = data.severities, MARKS = data.marks, RULES = data.rules, CODES = data.codes;
  var ANCHORS = data.anchors, PATHS = data.paths, MESSAGES = data.messages;
  var POINTERS = data.pointers, ROWS = data.rows, PAGE = data.page_size || 100;
  var PREFIX = data.prefix || "";
  var COLUMNS = ["severity", "rule", "location", "message"];

  var form = document.getElementById("filters");
  var qInput = document.getElementById("f-q");
  var sevSelect = document.getElementById("f-severity");
  var ruleSelect = document.getElementById("f-rule");
  var tbody = document.getElementById("findings-body");
  var status = document.getElementById("table-status");
  var pagers = document.querySelectorAll(".pager");
  var headers = document.querySelectorAll("#findings-table th[data-col]");

  var state = { q: "", severity: "", rule: "", sort: "", desc: false, page: 1 };
  var view = null;        // indices of the rows that pass the filters, in display order
  var haystacks = null;   // lower-case search text of each row, built on the first search
  var ranks = {};         // sort ranks of rule names and paths

  function rankOf(list) {
    var order = list.map(function (_, i) { return i; });
    order.sort(function (a, b) { return list[a] < list[b] ? -1 : list[a] > list[b] ? 1 : 0; });
    var rank = new Array(list.length);
    order.forEach(function (index, position) { rank[index] = position; });
    return rank;
  }

  function haystack(i) {
    if (haystacks === null) {
      haystacks = new Array(ROWS.length);
      for (var k = 0; k < ROWS.length; k++) {
        var r = ROWS[k];
        haystacks[k] = (SEV[r[0]] + " " + RULES[r[1]] + " " + CODES[r[1]] + " " + PATHS[r[2]] +
          ":" + r[3] + " " + MESSAGES[r[5]] + " " + POINTERS[r[6]]).toLowerCase();
      }
    }
    return haystacks[i];
  }

  var comparators = {
    severity: function (a, b) { return ROWS[a][0] - ROWS[b][0]; },
    rule: function (a, b) {
      ranks.rule = ranks.rule || rankOf(RULES);
      return ranks.rule[ROWS[a][1]] - ranks.rule[ROWS[b][1]];
    },
    location: function (a, b) {
      ranks.path = ranks.path || rankOf(PATHS);
      var x = ROWS[a], y = ROWS[b];
      return (ranks.path[x[2]] - ranks.path[y[2]]) || ((x[3] || 0) - (y[3] || 0)) ||
        ((x[4] || 0) - (y[4] || 0));
    },
    message: function (a, b) {
      ranks.message = ranks.message || rankOf(MESSAGES);
      return ranks.message[ROWS[a][5]] - ranks.message[ROWS[b][5]];
    }
  };

  function compute() {
    var terms = state.q.toLowerCase().split(/\s+/).filter(Boolean);
    var sev = state.severity ? SEV.indexOf(state.severity) : -1;
    var rule = state.rule ? RULES.indexOf(state.rule) : -1;
    var out = [];
    for (var i = 0; i < ROWS.length; i++) {
      var r = ROWS[i];
      if (sev >= 0 && r[0] !== sev) { continue; }
      if (rule >= 0 && r[1] !== rule) { continue; }
      if (terms.length) {
        var text = haystack(i), ok = true;
        for (var t = 0; t < terms.length; t++) {
          if (text.indexOf(terms[t]) < 0) { ok = false; break; }
        }
        if (!ok) { continue; }
      }
      out.push(i);
    }
    var compare = comparators[state.sort];
    if (compare) {
      var sign = state.desc ? -1 : 1;
      out.sort(function (a, b) { return sign * compare(a, b) || a - b; });
    }
    view = out;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function rowFor(i) {
    var r = ROWS[i], sev = SEV[r[0]], path = PATHS[r[2]], pointer = POINTERS[r[6]];
    var tr = el("tr", "sev-" + sev);
    var cell = el("td");
    var chip = el("span", "sev sev-" + sev);
    var mark = el("span", "", MARKS[r[0]]);
    mark.setAttribute("aria-hidden", "true");
    chip.appendChild(mark);
    chip.appendChild(document.createTextNode(" " + sev));
    cell.appendChild(chip);
    tr.appendChild(cell);

    cell = el("td");
    var link = el("a", "", RULES[r[1]]);
    link.setAttribute("href", "#" + ANCHORS[r[1]]);
    cell.appendChild(link);
    cell.appendChild(document.createTextNode(" "));
    cell.appendChild(el("span", "code", CODES[r[1]]));
    tr.appendChild(cell);

    cell = el("td", "loc", r[3] === null ? path : path + ":" + r[3]);
    cell.title = PREFIX + path + ", line " + r[3] + ", column " + r[4];
    tr.appendChild(cell);

    cell = el("td", "", MESSAGES[r[5]]);
    if (pointer) {
      cell.appendChild(document.createTextNode(" "));
      cell.appendChild(el("code", "ptr", pointer));
    }
    tr.appendChild(cell);
    return tr;
  }

  function fmt(n) { return n.toLocaleString("en-US"); }

  function draw() {
    var total = view.length;
    var pages = Math.max(1, Math.ceil(total / PAGE));
    state.page = Math.min(Math.max(1, state.page), pages);
    var start = (state.page - 1) * PAGE, end = Math.min(total, start + PAGE);
    var fragment = document.createDocumentFragment();
    for (var k = start; k < end; k++) { fragment.appendChild(rowFor(view[k])); }
    if (!total) {
      var tr = el("tr", "empty"), td = el("td", "", ROWS.length ?
        "No findings match these filters." : "No findings: every record is clean.");
      td.colSpan = 4;
      tr.appendChild(td);
      fragment.appendChild(tr);
    }
    while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
    tbody.appendChild(fragment);

    var filtered = state.q || state.severity || state.rule;
    status.textContent = total ?
      "Showing " + fmt(start + 1) + "–" + fmt(end) + " of " + fmt(total) + " findings" +
        (filtered ? " matching the filters (" + fmt(ROWS.length) + " in all)" : "") :
      (ROWS.length ? "No findings match the filters (" + fmt(ROWS.length) + " in all)" :
        "No findings");
    Array.prototype.forEach.call(pagers, function (pager) {
      pager.hidden = false;
      pager.querySelector(".page-of").textContent =
        "Page " + fmt(state.page) + " of " + fmt(pages);
      pager.querySelector("[data-page=first]").disabled = state.page <= 1;
      pager.querySelector("[data-page=prev]").disabled = state.page <= 1;
      pager.querySelector("[data-page=next]").disabled = state.page >= pages;
      pager.querySelector("[data-page=last]").disabled = state.page >= pages;
    });
    Array.prototype.forEach.call(headers, function (th) {
      var col = th.getAttribute("data-col");
      var sorted = col === state.sort;
      th.setAttribute("aria-sort", sorted ? (state.desc ? "descending" : "ascending") : "none");
      th.querySelector(".sort-mark").textContent = sorted ? (state.desc ? " ▼" : " ▲") : " ↕";
    });
  }

  function toControls() {
    qInput.value = state.q;
    sevSelect.value = state.severity;
    ruleSelect.value = state.rule;
  }

  function toHash() {
    var params = new URLSearchParams();
    if (state.q) { params.set("q", state.q); }
    if (state.severity) { params.set("severity", state.severity); }
    if (state.rule) { params.set("rule", state.rule); }
    if (state.sort) { params.set("sort", (state.desc ? "-" : "") + state.sort); }
    if (state.page > 1) { params.set("page", String(state.page)); }
    var text = params.toString();
    var url = location.href.split("#")[0] + (text ? "#" + text : "");
    if (url === location.href) { return; }
    try {
      history.replaceState(null, "", url);
    } catch (error) { /* some file:// setups refuse it: the filters still work */ }
  }

  // Reads filters from the fragment; false when it is a plain anchor (#rule-body-missing).
  function fromHash() {
    var hash = location.hash.replace(/^#/, "");
    if (hash.indexOf("=") < 0) { return false; }
    var params = new URLSearchParams(hash);
    var severity = params.get("severity") || "", rule = params.get("rule") || "";
    var sort = params.get("sort") || "", page = parseInt(params.get("page") || "1", 10);
    var desc = sort.charAt(0) === "-";
    if (desc) { sort = sort.slice(1); }
    state.q = params.get("q") || "";
    state.severity = SEV.indexOf(severity) >= 0 ? severity : "";
    state.rule = RULES.indexOf(rule) >= 0 ? rule : "";
    state.sort = COLUMNS.indexOf(sort) >= 0 ? sort : "";
    state.desc = state.sort ? desc : false;
    state.page = isNaN(page) ? 1 : page;
    return true;
  }

  function update(resetPage) {
    if (resetPage) { state.page = 1; }
    compute();
    draw();
    toHash();
  }

  var timer = null;
  qInput.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = qInput.value.trim(); update(true); }, 150);
  });
  sevSelect.addEventListener("change", function () { state.severity = sevSelect.value; update(true); });
  ruleSelect.addEventListener("change", function () { state.rule = ruleSelect.value; update(true); });
  form.addEventListener("reset", function () {
    state.q = ""; state.severity = ""; state.rule = "";
    setTimeout(function () { toControls(); update(true); }, 0);
  });
  Array.prototype.forEach.call(headers, function (th) {
    th.querySelector("button").addEventListener("click", function () {
      var col = th.getAttribute("data-col");
      if (state.sort === col) { state.desc = !state.desc; } else { state.sort = col; state.desc = false; }
      update(true);
    });
  });
  Array.prototype.forEach.call(pagers, function (pager) {
    pager.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-page]");
      if (!button) { return; }
      var pages = Math.max(1, Math.ceil(view.length / PAGE));
      var go = button.getAttribute("data-page");
      state.page = go === "first" ? 1 : go === "last" ? pages :
        go === "prev" ? state.page - 1 : state.page + 1;
      draw();
      toHash();
      if (pager.id === "pager-bottom") { document.getElementById("findings").scrollIntoView(); }
    });
  });
  window.addEventListener("hashchange", function () {
    if (fromHash()) {
      toControls();
      compute();
      draw();
      document.getElementById("findings").scrollIntoView();
    }
  });

  form.hidden = false;
  var fromLink = fromHash();
  toControls();
  compute();
  draw();
  document.documentElement.setAttribute("data-table-ready", "true");
  // How long the first draw took (parse, filter, sort, one page of rows), for the curious.
  document.documentElement.setAttribute("data-table-ms", String(Date.now() - started));
  if (fromLink) { document.getElementById("findings").scrollIntoView(); }
})();
