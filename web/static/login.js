// The push page: asks /login/status once a second and continues the sign-in as soon as the
// device has answered. Without JavaScript the "Continue" button does the same.
(function () {
  "use strict";
  var form = document.getElementById("push-form");
  if (!form || !document.getElementById("access-pass")) return;
  var url = form.getAttribute("data-status");
  var done = false;
  function finish() {
    if (done) return;
    done = true;
    var action = document.createElement("input");
    action.type = "hidden";
    action.name = "action";
    action.value = "push";
    form.appendChild(action);
    form.submit();
  }
  function poll() {
    if (done) return;
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.state === "pending" || s.state === "suspended") setTimeout(poll, 1000);
        else if (s.state === "gone") location.reload();
        else finish();
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 1000);
})();
