/* Seminar pages (axis-sim seminar serve): keep a seat's page current and count down the timer.
 *
 * Served by the seminar server itself; nothing is fetched from elsewhere. The page is rendered
 * on the server; this script only
 *  - polls /api/<token> and reloads the page when the seat's view has changed (its stamp),
 *    unless the reader is in the middle of filling in a form: then it says so and waits;
 *  - counts down to the phase's deadline, corrected for the difference between the server's
 *    clock and this machine's.
 */
(function () {
  "use strict";
  var body = document.body;
  var token = body.dataset.token;
  var stamp = body.dataset.stamp;
  var poll = parseFloat(body.dataset.poll || "2") * 1000;
  var skew = Date.parse(body.dataset.serverTime) - Date.now();  // server minus this machine
  var deadline = body.dataset.deadline ? Date.parse(body.dataset.deadline) : NaN;
  var timer = document.getElementById("timer");
  var notice = document.getElementById("changed");
  var editing = false;

  // A form being filled in is not thrown away by a reload.
  document.addEventListener("input", function (event) {
    if (event.target.form) { editing = true; }
  });
  document.addEventListener("submit", function () { editing = true; });

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    if (!timer) { return; }
    if (isNaN(deadline)) { timer.textContent = "no timer"; return; }
    var left = Math.round((deadline - (Date.now() + skew)) / 1000);
    if (left <= 0) {
      timer.textContent = "time is up";
      timer.classList.add("late");
      return;
    }
    timer.textContent = Math.floor(left / 60) + ":" + two(left % 60) + " left";
  }

  function check() {
    fetch("/api/" + encodeURIComponent(token), {cache: "no-store", credentials: "omit"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state || state.stamp === stamp) { return; }
        if (editing) {
          if (notice) { notice.hidden = false; }
          return;
        }
        window.location.reload();
      })
      .catch(function () { /* the server may be restarting; try again at the next poll */ });
  }

  tick();
  window.setInterval(tick, 1000);
  if (token) { window.setInterval(check, poll); }
  window.axisSeminar = {check: check, stamp: function () { return stamp; }};
})();
