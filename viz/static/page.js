/* creditlink investigation page: search an entity, see its network, expand nodes, filter by
 * relationship type and date, and read why a node is red.
 *
 * It talks to the /v1 API of the server that serves it (same origin, no other host):
 *   GET /v1/entities?q=…                                  search (entities router)
 *   GET /v1/viz/related/{kind}/{key}?hops=&as_of=&format=json
 *                                                          a network: a PictureDocument
 * and draws with the same vis-network bundle and picture.js as the offline pictures.
 * Every text from the API is put in the page with textContent, never as HTML.
 * For tests: document.body.dataset.ready is "true" when the layout has settled, and
 * window.creditlinkPage holds the network and its data sets.
 */
(function (global) {
  "use strict";
  var doc = global.document;
  var $ = function (id) { return doc.getElementById(id); };

  var state = {
    network: null,
    nodes: null,
    edges: null,
    shownEdges: null,
    shownNodes: null,
    seeds: [],          // [{kind, key, hops}] loaded, in order (reloaded when the date changes)
    types: {},          // relationship type -> shown?
    leftOut: [],
    loads: 0,
    selected: null
  };
  global.creditlinkPage = state;

  function apiKey() { return $("api-key").value.trim(); }

  function setStatus(text, isError) {
    var status = $("status");
    status.textContent = text;
    status.classList.toggle("cl-error", Boolean(isError));
  }

  function busy() { doc.body.dataset.ready = "false"; }
  function settled() { doc.body.dataset.ready = "true"; }

  function getJson(url) {
    var headers = { "Accept": "application/json" };
    if (apiKey()) { headers["X-API-Key"] = apiKey(); }
    return global.fetch(url, { headers: headers, credentials: "omit" }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) {
          var why = body.detail || body.title || response.statusText;
          throw new Error(response.status + ": " + why);
        }
        return body;
      });
    });
  }

  function fail(error) {
    setStatus("错误 error — " + error.message, true);
    settled();
  }

  // -- search ------------------------------------------------------------------------------
  function search(event) {
    event.preventDefault();
    var text = $("search").value.trim();
    if (!text) { return; }
    busy();
    getJson("/v1/entities?limit=10&q=" + encodeURIComponent(text)).then(function (found) {
      var list = $("results");
      list.textContent = "";
      found.results.forEach(function (match) {
        var entity = match.entity;
        var item = doc.createElement("li");
        var button = doc.createElement("button");
        button.type = "button";
        button.className = "cl-result";
        button.dataset.uid = entity.uid;
        var name = (entity.props && entity.props.name) || entity.key;
        button.textContent = name + " · " + entity.kind + " · " + entity.key;
        if (entity.key.indexOf("*") >= 0) {
          // The key is masked for this role: the entity cannot be asked about by key.
          button.disabled = true;
          button.title = "需要完整权限 needs full clearance (investigator)";
        }
        button.addEventListener("click", function () {
          clearAll();
          load(entity.kind, entity.key, Number($("hops").value));
        });
        item.appendChild(button);
        list.appendChild(item);
      });
      setStatus(found.results.length + " result(s) for " + text);
      settled();
    }).catch(fail);
  }

  // -- the network -------------------------------------------------------------------------
  function relatedUrl(seed) {
    var url = "/v1/viz/related/" + encodeURIComponent(seed.kind) + "/" +
      encodeURIComponent(seed.key) + "?format=json&hops=" + seed.hops;
    var asOf = $("as-of").value;
    if (asOf) { url += "&as_of=" + asOf; }
    return url;
  }

  function ensureNetwork(options) {
    if (state.network) { return; }
    state.nodes = new global.vis.DataSet([]);
    state.edges = new global.vis.DataSet([]);
    state.shownEdges = new global.vis.DataView(state.edges, {
      filter: function (edge) { return state.types[edge.type] !== false; }
    });
    state.shownNodes = new global.vis.DataView(state.nodes, { filter: nodeShown });
    state.network = new global.vis.Network($("network"),
      { nodes: state.shownNodes, edges: state.shownEdges }, options);
    state.network.on("click", function (params) {
      if (params.nodes.length) { select(params.nodes[0]); }
    });
    state.network.on("doubleClick", function (params) {
      if (params.nodes.length) { expand(params.nodes[0]); }
    });
    global.network = state.network;
  }

  function nodeShown(node) {
    // A node stays when it is a seed or one of its relationships is shown.
    if (node.focus) { return true; }
    var ids = state.edges.getIds({
      filter: function (e) {
        return (e.from === node.id || e.to === node.id) && state.types[e.type] !== false;
      }
    });
    return ids.length > 0;
  }

  function load(kind, key, hops) {
    var seed = { kind: kind, key: key, hops: hops };
    busy();
    setStatus("loading " + kind + " " + key + " …");
    return getJson(relatedUrl(seed)).then(function (picture) {
      state.seeds.push(seed);
      merge(picture);
    }).catch(fail);
  }

  function merge(picture) {
    ensureNetwork(picture.options);
    // A node already drawn keeps its place (its data — state, why — is refreshed); the new
    // ones keep their shape around the opened node, moved to where it stands.
    var known = {};
    state.nodes.getIds().forEach(function (id) { known[id] = true; });
    var seed = picture.nodes.filter(function (n) { return n.focus; })[0];
    var shift = { x: 0, y: 0 };
    if (seed && known[seed.id]) {
      var here = state.network.getPositions([seed.id])[seed.id];
      if (here) { shift = { x: here.x - seed.x, y: here.y - seed.y }; }
    }
    state.nodes.update(picture.nodes.map(function (n) {
      var copy = Object.assign({}, n);
      if (known[n.id]) {
        delete copy.x;
        delete copy.y;
        copy.focus = n.focus || state.nodes.get(n.id).focus;
      } else {
        copy.x = n.x + shift.x;
        copy.y = n.y + shift.y;
      }
      return copy;
    }));
    state.edges.update(picture.edges);
    picture.edges.forEach(function (e) {
      if (!(e.type in state.types)) { state.types[e.type] = true; }
    });
    state.leftOut = picture.left_out;
    drawFilters();
    drawLegend(picture.legend);
    drawLeftOut();
    state.shownNodes.refresh();
    relayout();
  }

  function relayout() {
    busy();
    var network = state.network;
    global.creditlink.freeze(network, function () {
      state.loads += 1;
      var shown = state.shownNodes.length;
      setStatus(shown + " entities, " + state.shownEdges.length + " relationships shown" +
        ($("as-of").value ? " · as of " + $("as-of").value : ""));
      settled();
    });
    network.setOptions({ physics: { enabled: true } });
    network.stabilize(state.nodes.length > 150 ? 300 : 600);
  }

  function expand(id) {
    var node = state.nodes.get(id);
    if (!node) { return; }
    if (!node.expandable) {
      setStatus("展开个人需要完整权限 expanding a person needs full clearance (investigator)", true);
      return;
    }
    load(node.kind, node.key, 1);
  }

  function clearAll() {
    if (state.nodes) { state.nodes.clear(); state.edges.clear(); }
    state.seeds = [];
    state.types = {};
    $("details").hidden = true;
    $("type-filters").textContent = "";
  }

  function reloadAll() {
    var seeds = state.seeds.slice();
    if (!seeds.length) { return; }
    clearAll();
    seeds.reduce(function (chain, seed) {
      return chain.then(function () { return load(seed.kind, seed.key, seed.hops); });
    }, Promise.resolve());
  }

  // -- filters, legend, details ---------------------------------------------------------------
  function drawFilters() {
    var box = $("type-filters");
    box.textContent = "";
    Object.keys(state.types).sort().forEach(function (type) {
      var label = doc.createElement("label");
      var check = doc.createElement("input");
      check.type = "checkbox";
      check.checked = state.types[type];
      check.dataset.type = type;
      check.addEventListener("change", function () {
        state.types[type] = check.checked;
        state.shownEdges.refresh();
        state.shownNodes.refresh();
        setStatus(state.shownNodes.length + " entities, " + state.shownEdges.length +
          " relationships shown");
      });
      label.appendChild(check);
      label.appendChild(doc.createTextNode(" " + type));
      box.appendChild(label);
    });
  }

  function drawLegend(items) {
    var legend = $("legend");
    legend.textContent = "";
    var heading = { kind: "形状 shape = kind", state: "颜色 colour = credit state", edge: "连线 lines", mark: "标记 marks" };
    Object.keys(heading).forEach(function (group) {
      var rows = items.filter(function (i) { return i.group === group; });
      if (!rows.length) { return; }
      var h = doc.createElement("h2");
      h.textContent = heading[group];
      legend.appendChild(h);
      var ul = doc.createElement("ul");
      rows.forEach(function (item) {
        var li = doc.createElement("li");
        li.dataset.legend = group + ":" + item.key;
        // The symbol is a constant SVG made by the server (viz/style.py), not data.
        var symbol = doc.createElement("span");
        symbol.innerHTML = item.svg;
        var text = doc.createElement("span");
        text.textContent = item.label;
        li.appendChild(symbol);
        li.appendChild(text);
        ul.appendChild(li);
      });
      legend.appendChild(ul);
    });
    legend.hidden = false;
  }

  function drawLeftOut() {
    var list = $("left-out");
    list.textContent = "";
    state.leftOut.forEach(function (line) {
      var li = doc.createElement("li");
      li.textContent = line;
      list.appendChild(li);
    });
  }

  function select(id) {
    var node = state.nodes.get(id);
    if (!node) { return; }
    state.selected = id;
    $("details").hidden = false;
    $("details-name").textContent = node.name;
    $("details-state").textContent = node.label.split("\n").slice(1).join(" · ") || "无记录 clean";
    $("details-text").textContent = node.title;
    $("expand").disabled = !node.expandable;
    var why = $("why");
    why.textContent = "";
    if (node.why && node.why.length) {
      var h = doc.createElement("h3");
      var colour = {
        listed: "red (listed)", affected: "orange (affected)", red_list: "green (red list)"
      }[node.state] || "so";
      h.textContent = "为什么 Why " + colour + "?";
      why.appendChild(h);
      var ol = doc.createElement("ol");
      node.why.forEach(function (w) {
        var li = doc.createElement("li");
        var lines = [
          w.title + (w.measure ? " [" + w.measure + "]" : "") + " — " + w.status,
          [w.decision_no, w.authority].filter(Boolean).join(", "),
          w.legal_basis.length ? "legal basis: " + w.legal_basis.join("; ") : "",
          w.start || w.end ? "term: " + (w.start || "") + " → " + (w.end || "until lifted") : ""
        ].filter(Boolean);
        lines.forEach(function (line, i) {
          var p = doc.createElement(i === 0 ? "strong" : "div");
          p.textContent = line;
          li.appendChild(p);
        });
        w.path.forEach(function (step) {
          var p = doc.createElement("div");
          p.className = "cl-path";
          p.textContent = "↳ " + step;
          li.appendChild(p);
        });
        ol.appendChild(li);
      });
      why.appendChild(ol);
    }
  }

  function start() {
    var saved = global.sessionStorage.getItem("creditlink-api-key");
    if (saved) { $("api-key").value = saved; }
    $("api-key").addEventListener("change", function () {
      global.sessionStorage.setItem("creditlink-api-key", apiKey());
    });
    $("search-form").addEventListener("submit", search);
    $("expand").addEventListener("click", function () {
      if (state.selected) { expand(state.selected); }
    });
    $("as-of").addEventListener("change", reloadAll);
    $("clear").addEventListener("click", function () { clearAll(); setStatus("cleared"); });
    settled();
  }

  doc.addEventListener("DOMContentLoaded", start);
})(window);
