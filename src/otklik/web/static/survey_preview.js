/* otklik survey preview: runs the real widget with the survey given in the page, answering its
 * requests here, so nothing is sent to otklik and nothing is recorded. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("otk-preview-data").dataset.preview);
  var realFetch = window.fetch.bind(window);
  window.fetch = function (url, init) {
    if (String(url).indexOf("/s/preview") < 0) {
      return realFetch(url, init);
    }
    var method = (init && init.method) || "GET";
    var body = method === "GET"
      ? { survey: data.survey, mechanic: data.mechanic, channel: null }
      : { status: "recorded", message: data.thanks };
    return Promise.resolve(new Response(JSON.stringify(body), {
      status: method === "GET" ? 200 : 201,
      headers: { "Content-Type": "application/json" }
    }));
  };
  document.addEventListener("DOMContentLoaded", function () {
    window.Otklik.show({ token: "preview", mode: data.mode, target: "#otk-preview-target",
                         lang: data.survey.language });
  });
})();
