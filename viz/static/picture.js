/* creditlink pictures: draw a PictureDocument (viz/document.py) with vis-network.
 *
 * The layout runs a bounded number of physics iterations (doc.options.physics.stabilization),
 * then physics is switched off so nothing moves while one reads.  When the layout is done the
 * page says so: document.body.dataset.ready = "true" (the PNG export and the browser tests wait
 * for it), and window.network is the vis Network (network.body.data.nodes.length = nodes drawn).
 * Used inline by every picture and, as a file, by the investigation page.
 */
(function (global) {
  "use strict";

  function freeze(network, onDone) {
    // Stop the physics after the stabilisation iterations, keep the result still.
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      network.fit({ animation: false });
      if (onDone) { onDone(); }
    });
  }

  function draw(container, doc, hooks) {
    hooks = hooks || {};
    var nodes = new global.vis.DataSet(doc.nodes);
    var edges = new global.vis.DataSet(doc.edges);
    var shownEdges = hooks.edgeFilter ? new global.vis.DataView(edges, { filter: hooks.edgeFilter }) : edges;
    var started = global.performance.now();
    var state = { nodes: nodes, edges: edges, shownEdges: shownEdges, ready: false, iterations: 0, ms: 0 };
    var network = new global.vis.Network(container, { nodes: nodes, edges: shownEdges }, doc.options);
    state.network = network;
    network.on("stabilizationProgress", function (p) {
      state.iterations = p.iterations;
      if (hooks.progress) { hooks.progress(p.iterations, p.total); }
    });
    var done = function () {
      state.ready = true;
      state.ms = global.performance.now() - started;
      if (hooks.ready) { hooks.ready(state); }
    };
    if (doc.nodes.length === 0) {
      network.setOptions({ physics: { enabled: false } });
      global.setTimeout(done, 0);
    } else {
      freeze(network, done);
    }
    return state;
  }

  function drawPicture() {
    var doc = JSON.parse(global.document.getElementById("picture-data").textContent);
    var progress = global.document.getElementById("progress");
    var state = draw(global.document.getElementById("network"), doc, {
      progress: function (done, total) {
        progress.textContent = "布局中 laying out… " + done + " / " + total;
      },
      ready: function () {
        progress.hidden = true;
        global.document.body.dataset.ready = "true";
      }
    });
    global.network = state.network;
    global.creditlinkPicture = state;
    return state;
  }

  global.creditlink = { draw: draw, drawPicture: drawPicture, freeze: freeze };
})(window);
