// Draws every element with a data-figure (a Plotly figure as JSON, built on the server) with
// the plotly.min.js served from the plotly Python package. A click on a point or a bar opens
// the items behind it (the URL is the point's customdata).
(function () {
  "use strict";
  function draw(el) {
    var figure = JSON.parse(el.getAttribute("data-figure"));
    var config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] };
    // Plotly's own words (the mode bar) in the page's language, sent by the server.
    var locale = el.getAttribute("data-locale");
    var words = el.getAttribute("data-dictionary");
    if (locale && words) {
      window.Plotly.register({ moduleType: "locale", name: locale, dictionary: JSON.parse(words) });
      config.locale = locale;
    }
    window.Plotly.newPlot(el, figure.data, figure.layout, config).then(function () {
      el.setAttribute("data-rendered", "true");
    });
    el.on("plotly_click", function (event) {
      var point = event && event.points && event.points[0];
      var url = point && point.customdata;
      if (typeof url === "string" && url.charAt(0) === "/") {
        window.location.assign(url);
      }
    });
  }
  function drawAll() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("[data-figure]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
